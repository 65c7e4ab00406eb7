"""Serving a privately stored file to a user who may see it: one response for every kind of upload.

The caller has found the record through ``compliance.core.access`` (another agency's → 404). The
file is sent as a download (never shown inline), with ``nosniff``, ``no-store`` and a sandboxing
policy so nothing in it runs should a browser open it anyway (SECURITY.md F3, F8); the download is
access-logged as an export of the record (D3). A file missing from storage is a 404 and an error log
line naming only the record's public id.
"""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404

from compliance.core.models import AccessLog, access_log_record

logger = logging.getLogger(__name__)


def private_file_response(request, *, record, stored_file, filename: str, content_type: str, agency=None):
    """A download of ``stored_file`` (a ``FieldFile`` of ``record``), access-logged.

    Args:
        request: the request (for the access-log row).
        record: the model row the file belongs to (has ``public_id``); logged as exported.
        stored_file: its ``FieldFile``.
        filename: the name the browser saves it under (already cleaned by the caller).
        content_type: the type its content was checked to be at upload.
        agency: the agency of the access-log row when ``record`` has none of its own.

    Raises:
        Http404: the file is missing from storage.
    """
    try:
        handle = stored_file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Stored file of %s %s is missing.", type(record).__name__, record.public_id)
        raise Http404("The file is missing.") from exc
    access_log_record(request, action=AccessLog.Action.EXPORT, record=record, agency=agency)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser open it anyway, nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
