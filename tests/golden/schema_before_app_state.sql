-- Safeguarding performance dashboard: the database schema.
-- Every record table holds pseudonymised references only: no names, no dates of birth (age in
-- years at the event instead). Times are local (Europe/London) wall-clock TIMESTAMPs.
-- The constraints encode the domain so that a bad record cannot be stored by any path.

create table if not exists districts (
    district varchar primary key,
    force varchar not null,
    check (length(trim(district)) > 0),
    check (length(trim(force)) > 0)
);

create table if not exists population (
    district varchar not null references districts (district),
    year integer not null check (year between 2000 and 2100),
    all_ages integer not null check (all_ages >= 0),
    under_18 integer not null check (under_18 >= 0),
    primary key (district, year),
    check (under_18 <= all_ages)
);

-- Registered sex offenders, one row per registration managed by a district in the community.
create table if not exists offenders (
    offender_ref varchar primary key,
    district varchar not null references districts (district),
    risk_level varchar not null check (risk_level in ('very_high', 'high', 'medium', 'low')),
    managed_from date not null,
    managed_to date,
    check (managed_to is null or managed_to >= managed_from)
);

-- Home visits to registered offenders by offender managers.
create table if not exists offender_visits (
    visit_ref varchar primary key,
    offender_ref varchar not null,
    visit_date date not null
);

-- Offender managers (officers), one row per posting; FTE 0-1.
create table if not exists offender_managers (
    officer_ref varchar primary key,
    district varchar not null references districts (district),
    fte decimal(4, 2) not null check (fte > 0 and fte <= 1),
    start_date date not null,
    end_date date,
    check (end_date is null or end_date >= start_date)
);

-- Missing-child reports. Risk grades as in the College of Policing missing-persons guidance.
create table if not exists missing_reports (
    report_ref varchar primary key,
    child_ref varchar not null,
    district varchar not null references districts (district),
    age integer not null check (age between 0 and 17),
    risk_grade varchar not null check (risk_grade in ('high', 'medium', 'low', 'no_apparent_risk')),
    reported_at timestamp not null,
    attended_at timestamp,
    supervisor_review_at timestamp,
    found_at timestamp,
    return_interview_at timestamp,
    check (attended_at is null or attended_at >= reported_at),
    check (supervisor_review_at is null or supervisor_review_at >= reported_at),
    check (found_at is null or found_at >= reported_at),
    check (return_interview_at is null or (found_at is not null and return_interview_at >= found_at))
);

-- Digital forensic examinations; iioc marks indecent images of children cases.
create table if not exists forensic_cases (
    case_ref varchar primary key,
    district varchar not null references districts (district),
    iioc boolean not null,
    submitted_on date not null,
    completed_on date,
    outsourced boolean not null default false,
    outsource_reason varchar check (outsource_reason in ('specialist', 'capacity', 'other')),
    check (completed_on is null or completed_on >= submitted_on),
    check (outsourced or outsource_reason is null),
    check (not outsourced or outsource_reason is not null)
);

-- Child abuse investigations.
create table if not exists investigations (
    investigation_ref varchar primary key,
    district varchar not null references districts (district),
    child_age integer check (child_age between 0 and 17),
    opened_on date not null,
    closed_on date,
    check (closed_on is null or closed_on >= opened_on)
);

-- Supervisory reviews of child abuse investigations.
create table if not exists investigation_reviews (
    review_ref varchar primary key,
    investigation_ref varchar not null,
    reviewed_on date not null
);

-- Initial child protection conferences (ICPC) and multi-agency risk assessment conferences (MARAC).
-- For ICPC, info_shared means the police report reached the conference beforehand; for MARAC,
-- that police information was shared before the meeting.
create table if not exists conferences (
    conference_ref varchar primary key,
    district varchar not null references districts (district),
    kind varchar not null check (kind in ('ICPC', 'MARAC')),
    held_on date not null,
    police_attended boolean not null,
    info_shared boolean not null
);

-- Children detained in police custody after charge.
create table if not exists custody_detentions (
    detention_ref varchar primary key,
    child_ref varchar not null,
    district varchar not null references districts (district),
    age integer not null check (age between 10 and 17),
    charged_at timestamp not null,
    held_overnight boolean not null,
    transferred_to_la boolean not null,
    released_at timestamp,
    check (released_at is null or released_at >= charged_at),
    check (held_overnight or not transferred_to_la)
);

-- Funded and in-post FTE by district, month and role.
create table if not exists workforce (
    district varchar not null references districts (district),
    month date not null check (day(month) = 1),
    role varchar not null check (role in ('offender_manager', 'specialist_investigator')),
    fte_in_post decimal(7, 2) not null check (fte_in_post >= 0),
    fte_funded decimal(7, 2) not null check (fte_funded >= 0),
    primary key (district, month, role)
);

-- Inspection recommendations (force level).
create table if not exists recommendations (
    recommendation_ref varchar primary key,
    force varchar not null,
    report varchar not null,
    report_date date not null,
    text varchar not null,
    owner varchar not null,
    due_date date not null,
    status varchar not null check (status in ('open', 'in_progress', 'completed')),
    evidence varchar,
    completed_on date,
    linked_metrics varchar,
    check (due_date >= report_date),
    check ((status = 'completed') = (completed_on is not null)),
    check (completed_on is null or completed_on >= report_date)
);

-- Targets: dated, force-wide (district null) or for one district (or the force row by name).
create table if not exists targets (
    metric_id varchar not null,
    district varchar,
    effective_from date not null,
    effective_to date,
    target double not null,
    note varchar,
    check (effective_to is null or effective_to >= effective_from)
);

-- The dashboard's own work --------------------------------------------------------------------

create table if not exists imports (
    import_id integer primary key,
    imported_at timestamp not null,
    imported_by varchar,
    file_name varchar not null,
    sha256 varchar not null,
    table_name varchar not null,
    rows_inserted integer not null default 0,
    rows_updated integer not null default 0,
    rows_rejected integer not null default 0,
    outcome varchar not null check (outcome in ('loaded', 'rejected', 'unchanged', 'demo')),
    message varchar
);

create table if not exists actions (
    action_id integer primary key,
    metric_id varchar,
    district varchar,
    quarter varchar not null,
    raised_on date not null,
    text varchar not null,
    owner varchar not null,
    due_date date,
    status varchar not null check (status in ('open', 'in_progress', 'closed')),
    response varchar,
    closed_on date
);

-- SPC recalculation register: limits are recalculated only at months recorded here.
create table if not exists rebases (
    metric_id varchar not null,
    district varchar not null,
    month date not null check (day(month) = 1),
    reason varchar not null check (length(trim(reason)) > 0),
    agreed_by varchar not null,
    agreed_on date not null,
    primary key (metric_id, district, month)
);

-- Facts about the data: as_at (last complete month covered), built_by, seed.
create table if not exists meta (
    key varchar primary key,
    value varchar not null
);

-- Every metric's standard frame, materialised after each change of data so pages read one table.
create table if not exists metric_values (
    metric_id varchar not null,
    district varchar not null,
    month date not null,
    numerator double,
    denominator double,
    value double,
    primary key (metric_id, district, month)
);

-- SPC for every metric x district x month, computed after each change of data from the figures
-- above and the rebases register. The scorecard, charts and exports all read this one table, so
-- their icons cannot disagree.
create table if not exists metric_signals (
    metric_id varchar not null,
    district varchar not null,
    month date not null,
    value double,
    mean double,
    lpl double,
    upl double,
    period integer not null,
    provisional boolean not null,
    cause varchar,
    point_type varchar,
    variation varchar,
    target double,
    assurance varchar,
    primary key (metric_id, district, month)
);

-- Board packs as issued: the figures (and action log and recommendations) each pack showed,
-- kept so that the pack can be rebuilt exactly later. snapshot_id is the SHA-256 of a canonical
-- serialisation of those figures and the data's as-at date (see safeguarding/pack.py).
create table if not exists packs (
    snapshot_id varchar primary key check (length(snapshot_id) = 64),
    quarter varchar not null,
    force varchar,
    as_at date,
    created_at timestamp not null,
    created_by varchar,
    content varchar not null
);
