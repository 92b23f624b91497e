"""Statistics: dashboards, the SIMFONI-PPA export, the monthly report and public numbers.

Who sees what
-------------
The dashboard (``stats:dashboard``, /statistik/) and its CSV/XLSX downloads,
the SIMFONI-PPA export with its list of incomplete reports, and the monthly
report (PDF) are for the manager and the data officer (``Perm.VIEW_STATS`` and
``Perm.EXPORT_STATS``). They hold counts, codes, registration numbers and dates
only; every download is audited (``stats.export``). Public, suppressed numbers
are ``public.py`` and ``suppression.py``.

Speed: pre-aggregated counts
----------------------------
A dashboard request never reads reports. It sums rows of ``MonthlyCount``:
one row per (month, kecamatan, dimension, value) holding ``n`` (cases, or
reports for the per-report dimensions) and ``victims``. Months are local (Asia/Jakarta) ``YYYY-MM`` of ``received_at``; a
kecamatan of ``*`` holds the sum of all kecamatan, so the unfiltered dashboard
reads one row per month and value whatever the number of kecamatan. Filtering by
period and kecamatan is a range scan of the ``(kecamatan_code, month)`` index and
a GROUP BY in the database. The row count grows with months × kecamatan ×
values (a few hundred per month and kecamatan), not with reports.

Counting units (``units.py``): the case and the victim, not the report. A
case counts once, through its home (primary, earliest) report; a report not in
a case is a unit of its own; a case's victims are counted once each (a victim
of a later report with the same NIK or name blind index is the same person).
Two linked reports about one victim in one case are one case and one victim.

Authority: a case counts by its home report's ``authority``; only this unit's
own cases enter the case and victim counts (as in the public numbers and the
SIMFONI-PPA export); dimension ``authority`` counts every case by its
authority so the dashboard and the monthly report show the others apart,
labelled. Per-report counts keep every report received.

Dimensions (``dimensions.py``): per report ("laporan": reports received,
channel, status, campaign source, the response to each report), per case
("kasus": total, risk, case type, desa, violence types, perpetrator relations,
places, case stage, ``victims`` = the case's distinct victims), victim-level
codes (age group, sex, age × sex, education, occupation, disability: ``n`` =
cases with such a victim, ``victims`` = such victims), the
response outcome per risk (on time / late / overdue / waiting / not measured)
and a histogram of response times per risk in buckets (minutes in the first
hour, then 5 min, 30 min, 6 h), from which the median is read exactly to the
bucket. Outreach per desa (activities, pamphlets, audience) sits in the same
table by activity month. The contact log (``contacts.py``: contacts per outcome
and per "dari mana tahu", repeat callers, contacts per report) sits there too by
contact month, with the months that make its distinct counts exact for any
period. Open work per case worker is a snapshot (month ``""``).

Keeping the counts current (``tally.py``)
-----------------------------------------
The worker job ``stats.tally`` (``@periodic``, every 5 minutes) is incremental.
``CountedReport`` records the (month, kecamatan) cell each report is counted in,
with an index on ``received_at``. A run:

1. collects the reports that changed since the last run:
   reports above the id cursor that are not counted yet; reports named by audit
   entries after the audit cursor (every state change is audited, and the audit
   head's row lock orders entries by commit, so the cursor misses none),
   resolved from the audited object (a victim, a chronology event, a case or
   anything that hangs off a case) along its foreign keys; reports marked with
   ``tally.mark_reports()`` for changes that write no audit entry; and open
   reports whose response deadline passed since the last run, because
   "waiting" turns into "overdue" with no change in the data;
   and every other report of the cases those belong to (a change to a later
   report of a case changes what its home report counts);
2. moves those reports' ``CountedReport`` rows to their current cell and takes
   the cells they were and are in;
3. recounts only those cells from the source tables (a few indexed queries per
   thousand reports, batched across cells) and rewrites their rows and their
   months' all-kecamatan rows in short transactions;
4. rewrites the small tables: outreach counts and the open-work snapshot, and
   recounts the contact log's months that changed: those of contacts recorded
   since the last run (``TallyState.last_contact_id``) and of the changed
   reports' contacts, with the months of every other contact of the same
   callers and reports (whose previous or next contact they are); only rows
   that differ are written. A full run (and ``manage.py seed`` at its end)
   recounts every contact; so does the first run after this was installed
   (``last_contact_id`` 0). A contact edited in place (scrubbed) is caught by
   the weekly full recount.

A lease on ``TallyState`` keeps two runs from overlapping. ``TallyState.counting_version``
records what the stored counts mean; a run that finds an older meaning than
``tally.COUNTING_VERSION`` (after an upgrade that changed how something is
counted) recounts everything, so two ways of counting are never mixed. ``stats.tally_full``
(weekly) and ``manage.py stats_refresh --full`` recount every cell: the safety
net for a change none of the markers saw (e.g. an unaudited bulk update).
``manage.py seed`` counts each seeded batch by addition as it writes it
(``intake.seeding.AFTER_BATCH``; the contact log once at the end, ``AFTER_SEED``),
so a seeded database has complete dashboards at
once. Numbers lag the data by at most one run; the page says when they were
last brought up to date.

The SIMFONI-PPA export (``simfoni.py``) reads the reports themselves (it needs
one row per victim, per victim–perpetrator pair and per perpetrator) but finds a
period's reports through ``CountedReport.received_at`` plus the reports newer
than the last run, so it never scans the reports table. It counts by the same
units: a case in the period of its home report, with every report linked to it,
each victim once; a child victim's AMPK groups come from ``intake.VictimAmpkGroup``
(counted the same way as the dashboard's ``ampk_group``). It reads plain columns only (codes, ages at the incident,
blind indexes to match people) and decrypts nothing; labels are looked up once
per export. For speed at national scale (a month holds about 8,300 reports at a
million cases) a period's reports are selected inside the database
(``report_id IN (SELECT ...)`` on ``CountedReport.received_at``, ``Scope``)
instead of as lists of thousands of ids, rows are read without Django's
per-value converters (``simfoni.fetch``), the data is loaded once per request
(the XLSX's data-quality sheet reuses it), and the XLSX is written directly as
SpreadsheetML (``exports.to_xlsx``) rather than through openpyxl's cell
objects.

Monthly report
--------------
``stats:monthly_list`` queues a ``MonthlyReport``; the worker renders it with
fpdf2 (``monthly.py``: key numbers against the previous month and the same
month a year earlier, bar charts drawn with rectangles, response times, outreach,
overdue work), seals it, and it is downloaded with an audit entry.
"""
