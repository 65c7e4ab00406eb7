"""Attachments on the case page: staff upload one (CHANGE), anyone who may see the case downloads one (VIEW).

Another agency's case or file answers 404. A download is served only here, as an attachment
with its checked content type and ``nosniff``, and writes an access-log row (SECURITY.md D3, F8);
a file the virus scan quarantined is never served (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from compliance.core import access
from compliance.core.private_files import private_file_response
from incidents.case_files import services
from incidents.case_files.forms import AttachmentForm
from incidents.case_files.models import CaseAttachment
from incidents.incident_log.selectors import incident_or_404


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request, public_id):
    """The upload form (GET) and the upload (POST): needs CHANGE in the case's agency."""
    incident = incident_or_404(request.user, public_id, access.CHANGE)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                incident=incident, upload=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            if attachment.scan == CaseAttachment.Scan.QUARANTINED:
                messages.warning(request, "The virus scan flagged the file: it is kept, quarantined, and never served.")
            else:
                messages.success(request, "File attached.")
            return redirect("incidents:incident_detail", public_id=incident.public_id)
    return render(request, "incidents/case/attachment_form.html", {"incident": incident, "form": form})


@login_required
@require_GET
def attachment_download(request, public_id):
    """One attachment, as a download: needs VIEW in its case's agency; quarantined files are never served."""
    attachment = access.get_scoped_or_404(
        CaseAttachment.objects.select_related("incident__agency"),
        request.user,
        access.VIEW,
        agency_field="incident__agency",
        public_id=public_id,
    )
    if not services.attachment_downloadable(attachment):
        raise Http404("This file is not available.")
    return private_file_response(
        request,
        record=attachment,
        stored_file=attachment.file,
        filename=services.attachment_download_name(attachment),
        content_type=attachment.content_type,
        agency=attachment.incident.agency,
    )
