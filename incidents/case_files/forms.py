"""The staff upload form of the case page's attachments section (validation of the file is the service's)."""

from __future__ import annotations

from django import forms


class AttachmentForm(forms.Form):
    """One file: PDF, PNG or JPEG, at most 10 MB (checked by ``incidents.case_files.services.attachment_prepare``)."""

    file = forms.FileField(
        label="File",
        help_text="A PDF, PNG or JPEG, at most 10 MB; checked for viruses before anyone can open it where a "
        "scanner is configured.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
