"""Verify a report's file: is this PDF one we issued? (issue #13 item 3).

A report we issued is known by the SHA-256 of its bytes (``Report.sha256``, indexed, stored at assembly by
``compliance.reports.engine``). Reports are reproducible — the same kind, agency, period, as-of instant, basis and
parameters rendered from unchanged data give the same bytes — so one file can answer to several requests: all
of them are listed. One changed byte gives another digest: not ours.

Only reports of agencies the reader may view are looked at: a file of another agency answers exactly as a file
we never issued ("not a report we issued, or not one you may see"), so the page never tells a reader that
another agency's report exists.
"""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from compliance.core import access
from compliance.core.models import Report

#: Bytes read at a time while hashing an upload (the whole file is never held in memory at once).
READ_SIZE = 1024 * 1024


def file_sha256(upload) -> str:
    """The SHA-256 (64 lowercase hex digits) of an uploaded file's bytes, read in ``READ_SIZE`` chunks."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(READ_SIZE) if hasattr(upload, "chunks") else iter(lambda: upload.read(READ_SIZE), b""):
        digest.update(chunk)
    return digest.hexdigest()


def reports_with_digest(*, user, sha256: str) -> QuerySet[Report]:
    """The ready reports whose file has SHA-256 ``sha256``, of agencies where ``user`` holds ``view_records``,
    oldest request first, with agency and requester joined. One query (the ``sha256`` index)."""
    return (
        access.scope(Report.objects.filter(sha256=sha256, status=Report.Status.READY), user, access.VIEW)
        .select_related("agency", "requested_by")
        .order_by("created_at", "pk")
    )
