"""The pages every import shares: upload → preview of every row → the uploader confirms or discards.

An import's pages are three thin views built by ``upload_views`` from an
``UploadPages``: the pieces that are the import's own (its kind of upload, its
form, templates, URL names, messages). The rules are the same for every import:

* who: users holding ``change_records`` in an agency upload; only the uploader
  sees an upload's preview and confirms or discards it (anyone else, and
  another agency, gets 404; so does an uploader who lost ``change_records``);
* nothing is written before the confirmation, which re-validates the stored
  bytes (``compliance.core.uploads.services``); a file that cannot be read at
  all is refused on the upload page and not kept;
* "Import all rows" is refused while a row has an error; "Import only the
  valid rows" is the uploader's explicit choice;
* these pages show no personal data of a record, so they are not access-logged;
* each request reads the uploaded file once (``tables.one_read_per_file``): a
  confirmation's preview and its import share one reading.

Moved here from ``training.imports.views`` and
``incidents.detainer_import.views``, which repeated them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.uploads import services
from compliance.core.uploads.forms import ImportConfirmForm
from compliance.core.uploads.tables import one_read_per_file

DISCARDED = "Upload {file_name} discarded; nothing was imported."
NOT_IMPORTED = "Nothing was imported: "
#: Problems named in the "nothing was imported" message at most.
NOT_IMPORTED_SHOWN = 20


@dataclass(frozen=True)
class UploadPages:
    """What one import's pages need to know: the pieces that are its own.

    Attributes:
        kind: its kind of upload (``compliance.core.uploads.services.UploadKind``).
        form: its upload form class, built as ``form(data, files, agencies=...,
            agency_initial=...)``, with ``cleaned_data["file"]`` (and
            ``["encoding"]`` when it asks) and ``selected_agency()``
            (``compliance.core.uploads.forms.TableUploadForm``).
        upload_template, preview_template: the two pages. The upload page gets
            ``form`` and ``preview`` (None, or the preview of a file that cannot
            be read); the preview page gets ``upload``, ``preview``, ``form``
            (``ImportConfirmForm``) and ``digest``.
        upload_url, preview_url, done_url: URL names of the upload page, of the
            preview page (taking ``public_id``) and of the page shown after an
            import.
        gone: the warning when the upload is no longer there (expired, used).
        stale: the warning when the confirmed preview is not the file's
            preview any more (``result.stale``).
        all_or_nothing_refused: ``(*, count) -> message`` when "Import all
            rows" is chosen while ``count`` rows have errors.
        summary: ``(result) -> message`` after an import.
        no_valid_row: the error when only valid rows are chosen and there is
            none; None leaves it to the importer.
        keep_agency: the redirects name the upload's agency (``?agency=``).
        read_only_forbidden: users who may only read (auditors) get 403 on the
            upload page, as on other write pages; otherwise 404, as anyone who
            may change nothing.
        upload_context: ``(request) -> dict`` added to the upload page's context.
        preview_context: ``(preview) -> dict`` added to the preview page's context.
    """

    kind: services.UploadKind
    form: type
    upload_template: str
    preview_template: str
    upload_url: str
    preview_url: str
    done_url: str
    gone: str
    stale: str
    all_or_nothing_refused: Callable[..., str]
    summary: Callable[[Any], str]
    no_valid_row: str | None = None
    keep_agency: bool = False
    read_only_forbidden: bool = False
    upload_context: Callable[[HttpRequest], dict] | None = None
    preview_context: Callable[[Any], dict] | None = None


def upload_views(pages: UploadPages) -> tuple[Callable, Callable, Callable]:
    """The three views of an import, ready for its URLconf.

    Returns:
        ``(upload, preview, discard)``: the upload page (GET, POST), the
        preview page that confirms (GET, POST; takes ``public_id``) and the
        discard action (POST; takes ``public_id``), each for signed-in users
        only. They raise ``Http404`` or ``PermissionDenied`` as the module
        docstring says.
    """

    @login_required
    @require_http_methods(["GET", "POST"])
    def upload(request):
        with one_read_per_file():
            return upload_page(request, pages=pages)

    @login_required
    @require_http_methods(["GET", "POST"])
    def preview(request, public_id):
        with one_read_per_file():
            return preview_page(request, public_id, pages=pages)

    @login_required
    @require_POST
    def discard(request, public_id):
        return discard_page(request, public_id, pages=pages)

    return upload, preview, discard


def upload_page(request, *, pages: UploadPages) -> HttpResponse:
    """The upload form; a readable file is kept and its preview shown, an unreadable one refused here.

    Raises:
        Http404: the user may change records in no agency (or names another
            agency in ``?agency=``).
        PermissionDenied: with ``pages.read_only_forbidden``, the user may only
            read records.
    """
    agencies = _change_agencies(request.user, pages)
    form = pages.form(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        agency_initial=access.current_agency(request, access.CHANGE),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = services.pending_upload_create(
            kind=pages.kind,
            actor=request.user,
            agency=form.selected_agency(),
            data=file.read(),
            file_name=file.name,
            encoding=form.cleaned_data.get("encoding", "utf-8"),
        )
        preview = services.pending_upload_preview(kind=pages.kind, upload=upload)
        if preview.readable:
            return redirect(pages.preview_url, public_id=upload.public_id)
        # Unreadable as a whole (encoding, header, format): say why here and keep nothing.
        services.pending_upload_discard(kind=pages.kind, actor=request.user, upload=upload)
    context = {"form": form, "preview": preview}
    if pages.upload_context is not None:
        context.update(pages.upload_context(request))
    return render(request, pages.upload_template, context)


def preview_page(request, public_id, *, pages: UploadPages) -> HttpResponse:
    """The preview of the user's own upload; a valid POST confirms it as chosen.

    Raises:
        Http404: not the user's upload, or in an agency where they may not
            change records (any more).
    """
    upload = _upload_or_404(request, public_id, pages)
    try:
        preview = services.pending_upload_preview(kind=pages.kind, upload=upload)
    except services.UploadGone:
        return _gone(request, upload, pages)
    form = ImportConfirmForm(request.POST or None, initial={"digest": preview.digest})
    if request.method == "POST" and form.is_valid():
        only_valid = form.cleaned_data["choice"] == ImportConfirmForm.VALID_ONLY
        if preview.error_rows and not only_valid:
            messages.error(request, pages.all_or_nothing_refused(count=preview.error_rows))
        elif pages.no_valid_row is not None and preview.valid_rows == 0:
            messages.error(request, pages.no_valid_row)
        else:
            try:
                result = services.pending_upload_confirm(
                    kind=pages.kind,
                    actor=request.user,
                    upload=upload,
                    only_valid_rows=only_valid,
                    expected_digest=form.cleaned_data["digest"],
                )
            except services.UploadGone:
                return _gone(request, upload, pages)
            if result.ok:
                messages.success(request, pages.summary(result))
                return redirect(_url(pages.done_url, upload, pages))
            if result.stale:
                messages.warning(request, pages.stale)
            else:
                shown = result.errors[:NOT_IMPORTED_SHOWN]
                messages.error(request, NOT_IMPORTED + "; ".join(str(error) for error in shown))
            # What the file would do now: the records it is checked against may have changed.
            preview = services.pending_upload_preview(kind=pages.kind, upload=upload)
            form = ImportConfirmForm(initial={"digest": preview.digest})
    context = {"upload": upload, "preview": preview, "form": form, "digest": preview.digest}
    if pages.preview_context is not None:
        context.update(pages.preview_context(preview))
    return render(request, pages.preview_template, context)


def discard_page(request, public_id, *, pages: UploadPages) -> HttpResponse:
    """The uploader discards their upload (nothing imported) and is sent back to the upload page.

    Raises:
        Http404: as ``preview_page``.
    """
    upload = _upload_or_404(request, public_id, pages)
    services.pending_upload_discard(kind=pages.kind, actor=request.user, upload=upload)
    messages.info(request, DISCARDED.format(file_name=upload.file_name))
    return redirect(_url(pages.upload_url, upload, pages))


def _change_agencies(user, pages: UploadPages):
    agencies = access.agencies_for(user, access.CHANGE).order_by("state", "name")
    if not agencies.exists():
        if pages.read_only_forbidden and access.holds_anywhere(user, access.VIEW):
            raise PermissionDenied("Auditors and other read-only users may not import.")
        raise Http404("No agency.")
    return agencies


def _upload_or_404(request, public_id, pages: UploadPages):
    """The request user's own upload in an agency where they may still change records, else 404."""
    return access.get_scoped_or_404(
        pages.kind.model.objects.filter(uploaded_by=request.user).select_related("agency"),
        request.user,
        access.CHANGE,
        public_id=public_id,
    )


def _gone(request, upload, pages: UploadPages) -> HttpResponse:
    messages.warning(request, pages.gone)
    return redirect(_url(pages.upload_url, upload, pages))


def _url(name: str, upload, pages: UploadPages) -> str:
    url = reverse(name)
    return f"{url}?agency={upload.agency.public_id}" if pages.keep_agency else url
