"""The detainer log's kind of pending upload: a detainer-log file kept between its preview and the confirmation.

The service itself (private storage, ``sha256`` check, uploader only) is
``compliance.core.uploads.services``; here is only what is the detainer log's:
previewed and imported with ``incidents.detainer_import.services`` (the import
turns the upload into the batch record of its events), audited with its own
history reasons, and a pending upload does not expire.
"""

from __future__ import annotations

from compliance.core.uploads.services import UploadKind
from incidents.detainer_import.models import DetainerImport
from incidents.detainer_import.services import detainer_events_import, detainer_events_preview

DETAINER_LOG_UPLOADS = UploadKind(
    model=DetainerImport,
    preview=detainer_events_preview,
    importer=detainer_events_import,
    uploaded_reason="Detainer-log file uploaded for preview",
    discarded_reason="Detainer-log upload discarded",
)
