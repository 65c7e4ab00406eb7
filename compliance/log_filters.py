"""Logging filters for the console log."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Keep a 4xx response's one-line warning (``django.request``), drop its traceback.

    Django logs a refused request (403 from ``PermissionDenied``, 404) with the
    exception attached; for a client error the traceback is noise that hides
    real faults. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
