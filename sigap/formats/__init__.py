"""SIGAP's date styles, one per context (FORMAT_MODULE_PATH in settings).

* Tables, lists, timestamps on staff screens: ``SHORT_DATE_FORMAT`` (04-12-2026)
  and ``SHORT_DATETIME_FORMAT`` (04-12-2026 13:05).
* Letters, documents, public pages and sentences: ``DATE_FORMAT``
  (4 Desember 2026) and ``DATETIME_FORMAT`` (4 Desember 2026 13:05).

Templates name these formats (``|date:"SHORT_DATETIME_FORMAT"``) instead of
spelling a pattern; a test fails on a new literal pattern outside the few kept
for month headings, times of day and weekdays.
"""
