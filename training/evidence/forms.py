"""The form that attaches a certificate file to a certification. It only validates presence.

The content checks (type by content, size, name) live in ``training.evidence.services``
and come back as errors on the ``file`` field.
"""

from django import forms
from django.conf import settings

from training.evidence.services import format_size


class CertificateFileForm(forms.Form):
    file = forms.FileField(
        label="Certificate file",
        # The browser's file picker offers these types first; the server decides by content.
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"A PDF, PNG or JPEG of the certificate, at most {format_size(settings.CERTIFICATE_MAX_BYTES)}. "
            "A new file replaces the one in force; earlier files are kept."
        )
