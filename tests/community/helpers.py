"""Files and form values for the public complaint tests (invented; no real person)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

#: The EICAR anti-virus test string (not a virus: every scanner flags it by agreement).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def complaint_values(agency, **overrides) -> dict:
    """A plausible complaint as the form posts it (anonymous unless contact values are given)."""
    values = {
        "agency": str(agency.public_id),
        "description": "An officer asked about my papers at a traffic stop and held me for two hours.",
        "occurred_on": "2026-11-20",
        "occurred_time": "14:30",
        "location": "Highway 9 near Alder",
        "officer": "Badge 4471",
        "immigration": "yes",
        "name": "",
        "email": "",
        "phone": "",
        "language": "en",
        "website": "",
    }
    values.update(overrides)
    return values
