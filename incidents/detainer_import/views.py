"""Detainer-log import pages: upload → preview → the uploader confirms (issue 4, item 6). Thin views.

Users holding ``change_records`` upload; only the uploader sees an upload's
preview and confirms or discards it (anyone else, and another agency, gets
404). Auditors (read-only) get 404 here: they may change nothing. The events
are statistics with no personal data, so these pages are not access-logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.uploads import services as uploads
from incidents.detainer_import.forms import DetainerLogImportForm
from incidents.detainer_import.models import DetainerImport
from incidents.detainer_import.pending import DETAINER_LOG_UPLOADS
from training.imports.forms import ImportConfirmForm

ALL_OR_NOTHING_REFUSED = (
    "{count} row(s) of the file have errors, so “Import all rows” is not possible. Fix the file and upload it "
    "again, or choose “Import only the valid rows”."
)
GONE = "This upload is no longer available (imported or discarded). Upload the file again."


def _upload_or_404(request, public_id) -> DetainerImport:
    return access.get_scoped_or_404(
        DetainerImport.objects.filter(uploaded_by=request.user).select_related("agency", "uploaded_by"),
        request.user,
        access.CHANGE,
        public_id=public_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def detainer_import(request):
    agencies = access.agencies_for(request.user, access.CHANGE).order_by("state", "name")
    if not agencies.exists():
        # Read-only users (auditors) get 403 like every other write page; no agency at all: 404.
        if access.agencies_for(request.user, access.VIEW).exists():
            raise PermissionDenied("Auditors and other read-only users may not import.")
        raise Http404("No agency.")
    form = DetainerLogImportForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        agency_initial=access.current_agency(request, access.CHANGE),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        upload = uploads.pending_upload_create(
            kind=DETAINER_LOG_UPLOADS,
            actor=request.user,
            agency=form.chosen_agency(),
            data=upload_file.read(),
            file_name=upload_file.name,
            encoding=form.cleaned_data["encoding"],
        )
        preview = uploads.pending_upload_preview(kind=DETAINER_LOG_UPLOADS, upload=upload)
        if preview.readable:
            return redirect("incidents:detainer_import_preview", public_id=upload.public_id)
        uploads.pending_upload_discard(kind=DETAINER_LOG_UPLOADS, actor=request.user, upload=upload)
    imports = access.scope(DetainerImport.objects.all(), request.user, access.VIEW).filter(
        status=DetainerImport.Status.IMPORTED
    )
    context = {"form": form, "preview": preview, "imports": imports.select_related("agency", "uploaded_by")[:20]}
    return render(request, "incidents/detainer_import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detainer_import_preview(request, public_id):
    upload = _upload_or_404(request, public_id)
    try:
        preview = uploads.pending_upload_preview(kind=DETAINER_LOG_UPLOADS, upload=upload)
    except uploads.UploadGone:
        messages.warning(request, GONE)
        return redirect("incidents:detainer_import")
    form = ImportConfirmForm(request.POST or None, initial={"digest": preview.digest})
    if request.method == "POST" and form.is_valid():
        only_valid = form.cleaned_data["choice"] == ImportConfirmForm.VALID_ONLY
        if preview.error_rows and not only_valid:
            messages.error(request, ALL_OR_NOTHING_REFUSED.format(count=preview.error_rows))
        elif form.cleaned_data["digest"] != preview.digest:
            messages.warning(request, "The file changed since this preview; check it again.")
        else:
            try:
                result = uploads.pending_upload_confirm(
                    kind=DETAINER_LOG_UPLOADS,
                    actor=request.user,
                    upload=upload,
                    only_valid_rows=only_valid,
                    expected_digest=form.cleaned_data["digest"],
                )
            except uploads.UploadGone:
                messages.warning(request, GONE)
                return redirect("incidents:detainer_import")
            if result.ok:
                messages.success(
                    request,
                    f"Imported {result.file_name}: {result.imported} detainer events"
                    + (f"; {len(result.skipped)} row error(s) skipped" if result.skipped else "")
                    + ".",
                )
                return redirect("incidents:detainer_import")
            messages.error(request, "Nothing was imported: " + "; ".join(result.errors[:20]))
    context = {
        "upload": upload,
        "preview": preview,
        "form": form,
        "errors_shown": preview.errors[:500],
        "sample": preview.events[:20],
    }
    return render(request, "incidents/detainer_import_preview.html", context)


@login_required
@require_POST
def detainer_import_discard(request, public_id):
    upload = _upload_or_404(request, public_id)
    uploads.pending_upload_discard(kind=DETAINER_LOG_UPLOADS, actor=request.user, upload=upload)
    messages.info(request, f"Upload {upload.file_name} discarded; nothing was imported.")
    return redirect("incidents:detainer_import")
