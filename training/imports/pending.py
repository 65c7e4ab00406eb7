"""The roster's kind of pending upload: a roster file kept between its preview and the uploader's confirmation.

The service itself (private storage, ``sha256`` check, uploader only, expiry)
is ``compliance.core.uploads.services``; here is only what is the roster's:
previewed with ``roster_preview``, imported with ``roster_import``, and an
upload waits ``PENDING_IMPORT_HOURS`` for its confirmation.
"""

from __future__ import annotations

from compliance.core.uploads.services import UploadKind, pending_uploads_purge
from training.imports.models import PendingImport
from training.imports.services import roster_import, roster_preview

# How long an upload waits for its confirmation.
PENDING_IMPORT_HOURS = 24

ROSTER_UPLOADS = UploadKind(
    model=PendingImport, preview=roster_preview, importer=roster_import, keep_hours=PENDING_IMPORT_HOURS
)


def pending_imports_purge(*, now=None) -> int:
    """Mark pending roster uploads past ``expires_at`` expired and delete their files. Returns how many.

    Also runs on every new roster upload (``pending_upload_create``).
    """
    return pending_uploads_purge(kind=ROSTER_UPLOADS, now=now)
