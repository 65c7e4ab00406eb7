"""Personal data over its whole life (issue #14 items 3–4): the data inventory, the retention schedules read
and saved, and legal holds. The purge itself reaches every app's tables, so it lives on the top floor
(``compliance.retention``)."""
