"""Certificate files: attach one to a certification, download one.

Who may do what: attaching needs ``change_records`` in the certification's
agency; downloading needs ``view_records`` (auditors download, never attach).
Anything else, including another agency's file, answers 404. Files are served
only here, as attachments with their checked content type and ``nosniff``;
each download writes an access-log row (SECURITY.md D3, F8).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from compliance.core import access
from compliance.core.private_files import private_file_response
from training.evidence import services as evidence
from training.evidence.forms import CertificateFileForm
from training.evidence.models import CertificateFile
from training.roster.models import Certification


@login_required
@require_http_methods(["GET", "POST"])
def certificate_attach(request, public_id):
    certification = access.get_scoped_or_404(
        Certification.objects.select_related("agency", "officer", "course"),
        request.user,
        access.CHANGE,
        public_id=public_id,
    )
    form = CertificateFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence.certificate_attach(
                actor=request.user, certification=certification, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for message in exc.messages:  # every check is about the file: show it next to the field
                form.add_error("file", message)
        else:
            messages.success(request, "Certificate file attached.")
            return redirect("training:officer_detail", public_id=certification.officer.public_id)
    versions = certification.certificate_files.select_related("uploaded_by").order_by("-created_at", "-pk")
    context = {"form": form, "certification": certification, "officer": certification.officer, "versions": versions}
    return render(request, "training/certificate_attach.html", context)


@login_required
@require_GET
def certificate_download(request, public_id):
    certificate_file = access.get_scoped_or_404(
        CertificateFile.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )
    return private_file_response(
        request,
        record=certificate_file,
        stored_file=certificate_file.file,
        filename=evidence.certificate_download_name(certificate_file),
        content_type=certificate_file.content_type,
    )
