"""The sentinel search helper finds what it must (so its "0 hits" in the G3 test means something)."""

from __future__ import annotations

import io
import zipfile

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase

from compliance.core.models import Agency
from tests.privacy_search import search_cache, search_files, search_models, search_tables

NEEDLE = "Qzxhelperneedle"


class PrivacySearchTests(TestCase):
    def test_it_finds_a_needle_in_a_row_by_the_orm_and_by_raw_sql(self):
        Agency.objects.create(name=f"{NEEDLE} County", state="TX", time_zone="America/Chicago")
        self.assertTrue(any(hit.startswith("compliance.Agency.name") for hit in search_models([NEEDLE])))
        self.assertTrue(any(hit.startswith("table compliance_agency") for hit in search_tables([NEEDLE.lower()])))

    def test_it_finds_a_needle_in_the_cache(self):
        cache.set("some-key", {"text": NEEDLE})
        self.assertTrue(search_cache([NEEDLE]))

    def test_it_finds_a_needle_inside_a_zip_member_and_in_a_file_name(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/sharedStrings.xml", f"<si><t>{NEEDLE}</t></si>" * 50)
        default_storage.save("exports/book.xlsx", ContentFile(buffer.getvalue()))
        default_storage.save(f"uploads/{NEEDLE}.txt", ContentFile(b"nothing"))
        hits = search_files([NEEDLE])
        self.assertTrue(any("book.xlsx!xl/sharedStrings.xml" in hit for hit in hits))
        self.assertTrue(any(hit.startswith("file name") for hit in hits))
