"""Roster import pages: upload → preview of every row → the uploader confirms. Thin views.

The pages and their rules (who may upload, see, confirm or discard; nothing
written before the confirmation) are ``compliance.core.uploads.views``; here is
only what is the roster's: its form, templates, URL names and messages, the
roster page shown after an import, and the template downloads.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from compliance.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from compliance.core.uploads.views import UploadPages, upload_views
from training.imports.forms import RosterImportForm
from training.imports.pending import ROSTER_UPLOADS
from training.imports.template import template_csv, template_xlsx

ALL_OR_NOTHING_REFUSED = (
    "{count} row{plural} of the file {have} errors, so “Import all rows” is not possible. "
    "Fix the file and upload it again, or choose “Import only the valid rows”."
)
NO_VALID_ROW = "No row of the file is valid: nothing to import."
STALE_PREVIEW = "The roster changed since this preview was shown. Check the rows below again, then confirm."
GONE = "This upload is no longer available (imported, discarded or expired). Upload the file again."


def _all_or_nothing_refused(*, count: int) -> str:
    return ALL_OR_NOTHING_REFUSED.format(
        count=count, plural="" if count == 1 else "s", have="has" if count == 1 else "have"
    )


def _summary(result) -> str:
    text = (
        f"Imported {result.file_name}: {result.officers_created} officers added, "
        f"{result.officers_updated} updated, {result.certifications_created} certifications recorded"
    )
    if result.certifications_already_recorded:
        text += f" ({result.certifications_already_recorded} already on file)"
    if result.skipped:
        text += f"; {result.rows_skipped} row{'s' if result.rows_skipped != 1 else ''} with errors skipped"
    return text + "."


ROSTER_IMPORT_PAGES = UploadPages(
    kind=ROSTER_UPLOADS,
    form=RosterImportForm,
    upload_template="training/roster_import.html",
    preview_template="training/roster_import_preview.html",
    upload_url="training:roster_import",
    preview_url="training:roster_import_preview",
    done_url="training:roster",
    gone=GONE,
    stale=STALE_PREVIEW,
    all_or_nothing_refused=_all_or_nothing_refused,
    summary=_summary,
    no_valid_row=NO_VALID_ROW,
    keep_agency=True,
)

roster_import, roster_import_preview, roster_import_discard = upload_views(ROSTER_IMPORT_PAGES)


def _download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_GET
def roster_import_template(request):
    # The byte order mark makes Excel open the template as UTF-8 (accented names survive).
    return _download(template_csv(), CSV_CONTENT_TYPE, "roster-import-template.csv")


@login_required
@require_GET
def roster_import_template_xlsx(request):
    return _download(template_xlsx(), XLSX_CONTENT_TYPE, "roster-import-template.xlsx")
