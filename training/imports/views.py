"""Roster import pages: upload → preview of every row → the uploader confirms. Thin views.

Who: users holding ``change_records`` in an agency upload; only the uploader
sees the preview of an upload and confirms or discards it (anyone else, and
another agency, gets 404). Nothing is written to the roster before the
confirmation, which re-validates the stored bytes (``compliance.core.uploads.services``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.core import access
from compliance.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from compliance.core.uploads import services as uploads
from training.imports.forms import ImportConfirmForm, RosterImportForm
from training.imports.models import PendingImport
from training.imports.pending import ROSTER_UPLOADS
from training.roster.export import template_csv, template_xlsx

ALL_OR_NOTHING_REFUSED = (
    "{count} row{plural} of the file {have} errors, so “Import all rows” is not possible. "
    "Fix the file and upload it again, or choose “Import only the valid rows”."
)
NO_VALID_ROW = "No row of the file is valid: nothing to import."
STALE_PREVIEW = "The roster changed since this preview was shown. Check the rows below again, then confirm."
GONE = "This upload is no longer available (imported, discarded or expired). Upload the file again."


def _with_agency(url: str, agency) -> str:
    return f"{url}?agency={agency.public_id}"


def _pending_or_404(request, public_id) -> PendingImport:
    """The request user's own upload in an agency where they may still change records, else 404."""
    return access.get_scoped_or_404(
        PendingImport.objects.filter(uploaded_by=request.user).select_related("agency"),
        request.user,
        access.CHANGE,
        public_id=public_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request):
    agencies = access.agencies_for(request.user, access.CHANGE).order_by("state", "name")
    if not agencies.exists():
        raise Http404("No agency.")
    form = RosterImportForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        agency_initial=access.current_agency(request, access.CHANGE),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        pending = uploads.pending_upload_create(
            kind=ROSTER_UPLOADS,
            actor=request.user,
            agency=form.chosen_agency(),
            data=upload.read(),
            file_name=upload.name,
            encoding=form.cleaned_data["encoding"],
        )
        preview = uploads.pending_upload_preview(kind=ROSTER_UPLOADS, upload=pending)
        if preview.readable:
            return redirect("training:roster_import_preview", public_id=pending.public_id)
        # Unreadable as a whole (encoding, header, format): say why here and keep nothing.
        uploads.pending_upload_discard(kind=ROSTER_UPLOADS, actor=request.user, upload=pending)
    return render(request, "training/roster_import.html", {"form": form, "preview": preview})


@login_required
@require_http_methods(["GET", "POST"])
def roster_import_preview(request, public_id):
    pending = _pending_or_404(request, public_id)
    try:
        preview = uploads.pending_upload_preview(kind=ROSTER_UPLOADS, upload=pending)
    except uploads.UploadGone:
        messages.warning(request, GONE)
        return redirect(_with_agency(reverse("training:roster_import"), pending.agency))
    form = ImportConfirmForm(request.POST or None, initial={"digest": preview.digest})
    if request.method == "POST" and form.is_valid():
        only_valid = form.cleaned_data["choice"] == ImportConfirmForm.VALID_ONLY
        if preview.error_rows and not only_valid:
            count = preview.error_rows
            messages.error(
                request,
                ALL_OR_NOTHING_REFUSED.format(
                    count=count, plural="" if count == 1 else "s", have="has" if count == 1 else "have"
                ),
            )
        elif preview.valid_rows == 0:
            messages.error(request, NO_VALID_ROW)
        else:
            try:
                result = uploads.pending_upload_confirm(
                    kind=ROSTER_UPLOADS,
                    actor=request.user,
                    upload=pending,
                    only_valid_rows=only_valid,
                    expected_digest=form.cleaned_data["digest"],
                )
            except uploads.UploadGone:
                messages.warning(request, GONE)
                return redirect(_with_agency(reverse("training:roster_import"), pending.agency))
            if result.ok:
                messages.success(request, _summary(result))
                return redirect(_with_agency(reverse("training:roster"), pending.agency))
            if result.stale:
                messages.warning(request, STALE_PREVIEW)
            else:
                messages.error(request, "Nothing was imported: " + "; ".join(str(e) for e in result.errors))
            preview = uploads.pending_upload_preview(kind=ROSTER_UPLOADS, upload=pending)
            form = ImportConfirmForm(initial={"digest": preview.digest})
    context = {"pending": pending, "preview": preview, "form": form, "digest": preview.digest}
    return render(request, "training/roster_import_preview.html", context)


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


@login_required
@require_POST
def roster_import_discard(request, public_id):
    pending = _pending_or_404(request, public_id)
    uploads.pending_upload_discard(kind=ROSTER_UPLOADS, actor=request.user, upload=pending)
    messages.info(request, f"Upload {pending.file_name} discarded; nothing was imported.")
    return redirect(_with_agency(reverse("training:roster_import"), pending.agency))


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
