-- App state: what people write while using the dashboard (see docs/architecture.md).
-- Portable SQL (SQLite now, PostgreSQL later): integer ids, text dates (ISO 8601), no
-- engine-specific types. Each table is written by one module; nothing here is copied on a write.

create table if not exists meta (
    key text primary key,
    value text not null
);

create table if not exists actions (
    action_id integer primary key,
    metric_id text,
    district text,
    quarter text not null,
    raised_on text not null,
    text text not null,
    owner text not null,
    due_date text,
    status text not null check (status in ('open', 'in_progress', 'closed')),
    response text,
    closed_on text
);

create table if not exists rebases (
    metric_id text not null,
    district text not null,
    month text not null,
    reason text not null check (length(trim(reason)) > 0),
    agreed_by text not null,
    agreed_on text not null,
    primary key (metric_id, district, month)
);

-- Targets: dated (inclusive), force-wide (district null) or for one district or force row.
-- Rows are never deleted: a change closes the row it replaces (effective_to) or marks it
-- superseded, and target_changes keeps who did what and why.
create table if not exists targets (
    target_id integer primary key,
    metric_id text not null,
    district text,
    effective_from text not null,
    effective_to text,
    target real not null,
    note text,
    set_by text,
    set_at text,
    superseded_at text,
    check (effective_to is null or effective_to >= effective_from)
);

create table if not exists target_changes (
    change_id integer primary key,
    changed_at text not null,
    changed_by text not null,
    reason text not null,
    metric_id text not null,
    district text,
    effective_from text not null,
    effective_to text,
    target real,
    previous text
);

-- Progress of a recommendation as people record it; the recommendation itself (report, text)
-- is a record in the DuckDB file. The latest row per recommendation is its current progress.
create table if not exists recommendation_progress (
    change_id integer primary key,
    recommendation_ref text not null,
    status text not null check (status in ('open', 'in_progress', 'completed')),
    evidence text,
    completed_on text,
    owner text not null,
    due_date text not null,
    changed_at text not null
);
create index if not exists recommendation_progress_ref
    on recommendation_progress (recommendation_ref, change_id);

create table if not exists packs (
    snapshot_id text primary key check (length(snapshot_id) = 64),
    quarter text not null,
    force text,
    as_at text,
    created_at text not null,
    created_by text,
    content text not null
);

create table if not exists imports (
    import_id integer primary key,
    imported_at text not null,
    imported_by text,
    file_name text not null,
    sha256 text not null,
    table_name text not null,
    rows_inserted integer not null default 0,
    rows_updated integer not null default 0,
    rows_rejected integer not null default 0,
    outcome text not null check (outcome in ('loaded', 'rejected', 'unchanged', 'demo')),
    message text,
    -- the force the file was imported for (a several-force database); null: every district
    force text
);

create table if not exists access_log (
    entry_id integer primary key,
    logged_at_utc text not null,
    user_id text not null,
    role text not null,
    action text not null check (action in ('view', 'download', 'refused')),
    metric_id text,
    district text,
    month text,
    rows integer check (rows is null or rows >= 0),
    detail text
);
