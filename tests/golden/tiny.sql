-- The tiny hand-made dataset behind tests/test_golden.py and tests/test_queries.py.
-- Force Testshire (Northdale, Southdale) carries the hand-worked figures for January-March 2024.
-- Force Westshire (Westvale) is there to prove that nothing is hard-coded to one force and that a
-- second force's records never leak into the first one's figures.
-- Month ends: 2024-01-31, 2024-02-29 (leap year), 2024-03-31.

insert into districts (district, force) values
    ('Northdale', 'Testshire'),
    ('Southdale', 'Testshire'),
    ('Westvale', 'Westshire');

insert into population (district, year, all_ages, under_18) values
    ('Northdale', 2024, 200000, 45000),
    ('Southdale', 2024, 120000, 26000),
    ('Westvale', 2024, 90000, 20000);

-- Offender management --------------------------------------------------------------------------
-- N1 very high (1 month), visited 15 Dec and 10 Feb; a visit in April must not count earlier.
-- N2 high (3 months), last visit 31 Oct: due 31 Jan, so not overdue on 31 Jan, overdue from Feb.
-- N3 medium (6 months), never visited: measured from managed_from 15 Aug, due 15 Feb.
-- S1 low, management ended 15 Feb. S2 high, new in January, never visited.
-- S3 medium, management ended 31 Mar (on month end: not managed at the end of March).
-- S4 medium, last visit 30 Sep: due 30 Mar, so overdue on 31 Mar.
-- W1 low, Westvale, never visited since 2020, no offender manager at all.
-- Visits that must change nothing: S2 visited before its management began (V-08), S1 after its
-- management ended (V-09), and N2 visited twice on 31 Oct (V-10).
insert into offenders (offender_ref, district, risk_level, managed_from, managed_to) values
    ('O-N1', 'Northdale', 'very_high', '2023-06-01', null),
    ('O-N2', 'Northdale', 'high', '2023-01-01', null),
    ('O-N3', 'Northdale', 'medium', '2023-08-15', null),
    ('O-S1', 'Southdale', 'low', '2022-01-01', '2024-02-15'),
    ('O-S2', 'Southdale', 'high', '2024-01-10', null),
    ('O-S3', 'Southdale', 'medium', '2023-09-01', '2024-03-31'),
    ('O-S4', 'Southdale', 'medium', '2023-01-01', null),
    ('O-W1', 'Westvale', 'low', '2020-01-01', null);

insert into offender_visits (visit_ref, offender_ref, visit_date) values
    ('V-01', 'O-N1', '2023-12-15'),
    ('V-02', 'O-N1', '2024-02-10'),
    ('V-03', 'O-N1', '2024-04-05'),
    ('V-04', 'O-N2', '2023-10-31'),
    ('V-05', 'O-S1', '2023-03-01'),
    ('V-06', 'O-S3', '2024-01-20'),
    ('V-07', 'O-S4', '2023-09-30'),
    ('V-08', 'O-S2', '2023-12-01'),
    ('V-09', 'O-S1', '2024-03-01'),
    ('V-10', 'O-N2', '2023-10-31');

-- Northdale: 1.5 FTE in January; OM-N2 leaves on 29 Feb (month end), so 1.0 from February.
-- Southdale: nobody in January (caseload undefined), 1.0 from February.
insert into offender_managers (officer_ref, district, fte, start_date, end_date) values
    ('OM-N1', 'Northdale', 1.00, '2020-01-01', null),
    ('OM-N2', 'Northdale', 0.50, '2020-01-01', '2024-02-29'),
    ('OM-S1', 'Southdale', 1.00, '2024-02-01', null);

-- Missing children ----------------------------------------------------------------------------
-- M01-M05 high risk: M01 attended at exactly 60 minutes, M02 at 61, M03 never; M04 reported
-- 23:30 on 31 Jan (a January report) and found on 1 Feb (a February return).
-- M06-M09 low / no apparent risk: M06 reviewed at exactly 24 hours, M07 after 48, M08 never.
-- M01 interviewed exactly 72 hours after being found, M02 after 79 hours, M03 never.
-- M10-M19 medium, never found (kept out of the other figures): repeat-missing children.
--   C09: Northdale 15 Jan and 20 Feb, Southdale 10 Mar (and Westvale 15 Mar, another force).
--   C10: Northdale 20 Dec, 10 Jan, 25 Jan.
--   C11: Southdale 1 Jan, 10 Feb, 5 Mar (1 Jan is 90 days before 31 Mar: outside the window).
--   C13: Northdale 1 Dec, 15 Jan, 29 Feb: 3 reports spanning 90 days, never 3 in one window.
--   C14: Southdale 2 Jan, 15 Feb, 31 Mar: 2 Jan is 89 days before 31 Mar, inside the window.
--   C15: Westvale 31 Jan, 15 Mar, 20 Apr 2023: 31 Jan is 89 days before 30 Apr 2023, so it
--     counts at a month end three months after its own month.
insert into missing_reports (
    report_ref, child_ref, district, age, risk_grade,
    reported_at, attended_at, supervisor_review_at, found_at, return_interview_at
) values
    ('M01', 'C01', 'Northdale', 14, 'high',
        '2024-01-05 10:00', '2024-01-05 11:00', null, '2024-01-05 18:00', '2024-01-08 18:00'),
    ('M02', 'C02', 'Northdale', 15, 'high',
        '2024-01-10 22:00', '2024-01-10 23:01', null, '2024-01-11 02:00', '2024-01-14 09:00'),
    ('M03', 'C03', 'Northdale', 13, 'high',
        '2024-01-20 08:00', null, null, '2024-01-20 12:00', null),
    ('M04', 'C04', 'Southdale', 16, 'high',
        '2024-01-31 23:30', '2024-02-01 00:15', null, '2024-02-01 03:00', '2024-02-02 10:00'),
    ('M05', 'C05', 'Southdale', 12, 'high',
        '2024-03-02 12:00', '2024-03-02 12:30', null, '2024-03-02 20:00', '2024-03-04 09:00'),
    ('M06', 'C06', 'Northdale', 15, 'low',
        '2024-02-01 09:00', null, '2024-02-02 09:00', '2024-02-01 15:00', null),
    ('M07', 'C07', 'Northdale', 16, 'no_apparent_risk',
        '2024-02-03 09:00', null, '2024-02-05 09:00', null, null),
    ('M08', 'C08', 'Southdale', 14, 'low',
        '2024-03-20 10:00', null, null, null, null),
    ('M09', 'C12', 'Southdale', 11, 'no_apparent_risk',
        '2024-01-15 10:00', null, '2024-01-15 20:00', null, null),
    ('M10', 'C09', 'Northdale', 15, 'medium', '2024-01-15 12:00', null, null, null, null),
    ('M11', 'C09', 'Northdale', 15, 'medium', '2024-02-20 12:00', null, null, null, null),
    ('M12', 'C09', 'Southdale', 15, 'medium', '2024-03-10 12:00', null, null, null, null),
    ('M13', 'C09', 'Westvale', 15, 'medium', '2024-03-15 12:00', null, null, null, null),
    ('M14', 'C10', 'Northdale', 13, 'medium', '2023-12-20 12:00', null, null, null, null),
    ('M15', 'C10', 'Northdale', 13, 'medium', '2024-01-10 12:00', null, null, null, null),
    ('M16', 'C10', 'Northdale', 13, 'medium', '2024-01-25 12:00', null, null, null, null),
    ('M17', 'C11', 'Southdale', 16, 'medium', '2024-01-01 09:00', null, null, null, null),
    ('M18', 'C11', 'Southdale', 16, 'medium', '2024-02-10 09:00', null, null, null, null),
    ('M19', 'C11', 'Southdale', 16, 'medium', '2024-03-05 09:00', null, null, null, null),
    ('M21', 'C13', 'Northdale', 12, 'medium', '2023-12-01 09:00', null, null, null, null),
    ('M22', 'C13', 'Northdale', 12, 'medium', '2024-01-15 09:00', null, null, null, null),
    ('M23', 'C13', 'Northdale', 12, 'medium', '2024-02-29 09:00', null, null, null, null),
    ('M24', 'C14', 'Southdale', 14, 'medium', '2024-01-02 08:00', null, null, null, null),
    ('M25', 'C14', 'Southdale', 14, 'medium', '2024-02-15 08:00', null, null, null, null),
    ('M26', 'C14', 'Southdale', 14, 'medium', '2024-03-31 23:59', null, null, null, null),
    ('M27', 'C15', 'Westvale', 15, 'medium', '2023-01-31 18:00', null, null, null, null),
    ('M28', 'C15', 'Westvale', 15, 'medium', '2023-03-15 18:00', null, null, null, null),
    ('M29', 'C15', 'Westvale', 15, 'medium', '2023-04-20 18:00', null, null, null, null),
    ('M20', 'C20', 'Westvale', 14, 'high',
        '2024-01-10 10:00', '2024-01-10 10:30', null, '2024-01-10 12:00', null);

-- Digital forensics ---------------------------------------------------------------------------
-- Turnaround days: F01 40, F02 29, F03 30 (exactly 30: within), F04 120 (completed on month
-- end 29 Feb), F07 81, F08 10. F05 and F09 never completed. F06 and F10 are not IIOC.
insert into forensic_cases (
    case_ref, district, iioc, submitted_on, completed_on, outsourced, outsource_reason
) values
    ('F01', 'Northdale', true, '2023-12-01', '2024-01-10', false, null),
    ('F02', 'Northdale', true, '2024-01-02', '2024-01-31', true, 'specialist'),
    ('F03', 'Northdale', true, '2024-01-01', '2024-01-31', true, 'capacity'),
    ('F04', 'Southdale', true, '2023-11-01', '2024-02-29', true, 'other'),
    ('F05', 'Southdale', true, '2024-01-20', null, false, null),
    ('F06', 'Northdale', false, '2024-01-01', '2024-01-05', true, 'capacity'),
    ('F07', 'Northdale', true, '2023-12-15', '2024-03-05', false, null),
    ('F08', 'Southdale', true, '2024-03-01', '2024-03-11', false, null),
    ('F09', 'Northdale', true, '2024-01-01', null, false, null),
    ('F10', 'Southdale', false, '2023-06-01', null, false, null);

-- Investigations ------------------------------------------------------------------------------
-- I1 open since September. I2 opened 31 Oct: 3 months on 31 Jan, so counted from February.
-- I3 opened and closed within January. I4 closed on 29 Feb (month end). I5 opened 1 Dec.
-- Reviews: I1 on 4 Jan (27 days before 31 Jan: in), 1 Feb (28 days before 29 Feb: out),
-- 31 Mar (month end: in); I2 only after the period; I4 20 Jan; I5 10 Mar.
insert into investigations (investigation_ref, district, child_age, opened_on, closed_on) values
    ('I1', 'Northdale', 9, '2023-09-01', null),
    ('I2', 'Northdale', 12, '2023-10-31', null),
    ('I3', 'Northdale', 4, '2024-01-08', '2024-01-25'),
    ('I4', 'Southdale', 15, '2023-08-01', '2024-02-29'),
    ('I5', 'Southdale', 7, '2023-12-01', null);

insert into investigation_reviews (review_ref, investigation_ref, reviewed_on) values
    ('IR1', 'I1', '2024-01-04'),
    ('IR2', 'I1', '2024-02-01'),
    ('IR3', 'I1', '2024-03-31'),
    ('IR4', 'I2', '2024-04-02'),
    ('IR5', 'I3', '2024-01-20'),
    ('IR6', 'I4', '2024-01-20'),
    ('IR7', 'I5', '2024-03-10');

-- Conferences ---------------------------------------------------------------------------------
insert into conferences (conference_ref, district, kind, held_on, police_attended, info_shared)
values
    ('K1', 'Northdale', 'ICPC', '2024-01-10', true, true),
    ('K2', 'Northdale', 'ICPC', '2024-01-20', true, false),
    ('K3', 'Northdale', 'ICPC', '2024-01-25', false, false),
    ('K4', 'Southdale', 'ICPC', '2024-02-05', true, true),
    ('K5', 'Southdale', 'ICPC', '2024-03-01', false, true),
    ('K6', 'Northdale', 'MARAC', '2024-01-15', true, true),
    ('K7', 'Southdale', 'MARAC', '2024-01-15', true, false),
    ('K8', 'Southdale', 'MARAC', '2024-03-31', false, true);

-- Custody -------------------------------------------------------------------------------------
-- D4 charged 23:00 on 29 Feb (a February detention), D5 at 00:30 on 1 Mar (a March one).
insert into custody_detentions (
    detention_ref, child_ref, district, age, charged_at, held_overnight, transferred_to_la,
    released_at
) values
    ('D1', 'C31', 'Northdale', 15, '2024-01-05 20:00', true, true, '2024-01-06 02:00'),
    ('D2', 'C32', 'Northdale', 16, '2024-01-12 21:00', true, false, '2024-01-13 10:00'),
    ('D3', 'C33', 'Northdale', 14, '2024-01-20 15:00', false, false, '2024-01-20 18:00'),
    ('D4', 'C34', 'Southdale', 17, '2024-02-29 23:00', true, false, '2024-03-01 09:30'),
    ('D5', 'C35', 'Southdale', 13, '2024-03-01 00:30', true, true, '2024-03-01 04:00');

-- Workforce -----------------------------------------------------------------------------------
-- Southdale sent no specialist-investigator return for March. The offender-manager rows must
-- not count as specialist investigators.
insert into workforce (district, month, role, fte_in_post, fte_funded) values
    ('Northdale', '2024-01-01', 'specialist_investigator', 4.5, 5),
    ('Northdale', '2024-02-01', 'specialist_investigator', 5, 5),
    ('Northdale', '2024-03-01', 'specialist_investigator', 5, 6),
    ('Southdale', '2024-01-01', 'specialist_investigator', 2, 3),
    ('Southdale', '2024-02-01', 'specialist_investigator', 2.5, 3),
    ('Northdale', '2024-01-01', 'offender_manager', 9, 9),
    ('Westvale', '2024-01-01', 'specialist_investigator', 1, 1),
    ('Westvale', '2024-02-01', 'specialist_investigator', 1, 1),
    ('Westvale', '2024-03-01', 'specialist_investigator', 1, 2);

-- Recommendations (Testshire only) ------------------------------------------------------------
-- R1 done early; R2 done 5 days late; R3 still open; R4 done on its due date; R5 not yet due.
insert into recommendations (
    recommendation_ref, force, report, report_date, text, owner, due_date, status, evidence,
    completed_on, linked_metrics
) values
    ('R1', 'Testshire', 'Child protection inspection', '2023-10-01',
        'Identify every investigation open over three months', 'Head of crime', '2024-01-15',
        'completed', 'Weekly report', '2024-01-10', 'cai_open_over_3m'),
    ('R2', 'Testshire', 'Child protection inspection', '2023-10-01',
        'Visit low-risk missing children', 'Head of safeguarding', '2024-01-31',
        'completed', 'Policy', '2024-02-05', null),
    ('R3', 'Testshire', 'Child protection inspection', '2023-10-01',
        'Equalise offender-manager caseloads', 'Head of public protection', '2024-02-29',
        'open', null, null, 'rso_caseload_per_officer'),
    ('R4', 'Testshire', 'Child protection inspection', '2023-10-01',
        'Reduce the forensic backlog', 'Head of forensics', '2024-03-31',
        'completed', 'Backlog report', '2024-03-31', 'iioc_backlog_over_30d'),
    ('R5', 'Testshire', 'Child protection inspection', '2023-10-01',
        'Review overnight detention of children', 'Head of custody', '2024-06-30',
        'in_progress', null, null, 'children_detained_overnight');
