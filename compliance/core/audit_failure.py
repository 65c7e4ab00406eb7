"""Fail closed when the audit trail cannot be written (SECURITY.md D8, CJIS AU-5).

A change whose history row cannot be inserted is not made: every audited save runs in one
transaction with its history insert (``compliance.core.audit.AuditedHistory``), and a failed insert
raises ``AuditWriteFailed``, which rolls the change back. It also logs one CRITICAL line with a fixed
message on the ``compliance.audit`` logger (``ALERT_MESSAGE``; the model's label, never its data):
monitoring alerts on it (README "Operations", ``docs/decisions/audit-trail.md``). A page that hits it
answers 503 with a page saying nothing was saved (``AuditFailureMiddleware``), not a server error.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.db import DatabaseError
from django.shortcuts import render

logger = logging.getLogger("compliance.audit")

#: The fixed text of the alert (``%s``: the model's label, e.g. ``incidents.Detainer``). Monitoring matches it.
ALERT_MESSAGE = "AUDIT WRITE FAILED: history of %s could not be recorded; the change was rolled back"


class AuditWriteFailed(DatabaseError):
    """A history row could not be written, so the change it describes was refused (rolled back)."""


@contextlib.contextmanager
def history_write(model) -> Iterator[None]:
    """Turn a database error inside the block (a history insert) into the alert and ``AuditWriteFailed``.

    Args:
        model: the audited model whose history is being written (its label goes into the alert).

    Raises:
        AuditWriteFailed: chained to the database error; the caller's transaction rolls back.
    """
    try:
        yield
    except AuditWriteFailed:
        raise
    except DatabaseError as error:
        logger.critical(ALERT_MESSAGE, model._meta.label)
        raise AuditWriteFailed(f"history of {model._meta.label} could not be recorded") from error


class AuditFailureMiddleware:
    """Answer a request whose change could not be audited with 503 and a page saying nothing was saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AuditWriteFailed):
            return render(request, "audit_unavailable.html", status=503)
        return None
