"""Detainer-log import pages: upload → preview → the uploader confirms. Thin views.

The pages and their rules (who may upload, see, confirm or discard; nothing
written before the confirmation) are ``compliance.core.uploads.views``; here is
only what is the detainer log's: its form, templates, URL names and messages,
the list of files already imported, and the first rows and errors shown on the
preview. Auditors (read-only) get 403 on the upload page like on every other
write page. The events are statistics with no personal data, so these pages
are not access-logged.
"""

from __future__ import annotations

from compliance.core import access
from compliance.core.uploads.views import UploadPages, upload_views
from incidents.detainer_import.forms import DetainerLogImportForm
from incidents.detainer_import.models import DetainerImport
from incidents.detainer_import.pending import DETAINER_LOG_UPLOADS

ALL_OR_NOTHING_REFUSED = (
    "{count} row(s) of the file have errors, so “Import all rows” is not possible. Fix the file and upload it "
    "again, or choose “Import only the valid rows”."
)
GONE = "This upload is no longer available (imported or discarded). Upload the file again."
STALE = "The file changed since this preview; check it again."


def _summary(result) -> str:
    skipped = f"; {len(result.skipped)} row error(s) skipped" if result.skipped else ""
    return f"Imported {result.file_name}: {result.imported} detainer events{skipped}."


def _imported_files(request) -> dict:
    """The last files imported into the agencies the user may see, for the upload page."""
    imports = access.scope(DetainerImport.objects.all(), request.user, access.VIEW).filter(
        status=DetainerImport.Status.IMPORTED
    )
    return {"imports": imports.select_related("agency", "uploaded_by")[:20]}


def _errors_and_sample(preview) -> dict:
    return {"errors_shown": preview.errors[:500], "sample": preview.events[:20]}


DETAINER_IMPORT_PAGES = UploadPages(
    kind=DETAINER_LOG_UPLOADS,
    form=DetainerLogImportForm,
    upload_template="incidents/detainer_import.html",
    preview_template="incidents/detainer_import_preview.html",
    upload_url="incidents:detainer_import",
    preview_url="incidents:detainer_import_preview",
    done_url="incidents:detainer_import",
    gone=GONE,
    stale=STALE,
    all_or_nothing_refused=ALL_OR_NOTHING_REFUSED.format,
    summary=_summary,
    read_only_forbidden=True,
    upload_context=_imported_files,
    preview_context=_errors_and_sample,
)

detainer_import, detainer_import_preview, detainer_import_discard = upload_views(DETAINER_IMPORT_PAGES)
