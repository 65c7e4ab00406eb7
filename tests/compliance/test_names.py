"""Names as people have them (compliance.core.names): stored in NFC and trimmed, compared by one folded key.

Invented names throughout. ``"A\\u0301"`` is A + COMBINING ACUTE ACCENT: what a name copied
out of a PDF often holds instead of the single character Á.
"""

from __future__ import annotations

import unicodedata

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.admin import UserNamesChangeForm
from compliance.core.forms import PersonNameField
from compliance.core.names import KEY_MAX_LENGTH, name_clean, name_display, name_key
from tests.base import BaseTestCase

NFD_ALVAREZ = "A\u0301lvarez"  # decomposed, as pasted from a PDF
NFC_ALVAREZ = "\u00c1lvarez"  # Á as one character, as typed


class NameCleanTests(SimpleTestCase):
    def test_a_decomposed_name_is_stored_composed(self):
        self.assertEqual(name_clean(NFD_ALVAREZ), NFC_ALVAREZ)
        self.assertTrue(unicodedata.is_normalized("NFC", name_clean("Nguye\u0302\u0303n")))
        self.assertEqual(name_clean("Nguye\u0302\u0303n"), "Nguyễn")

    def test_outer_whitespace_and_invisible_characters_are_trimmed_inner_spaces_kept(self):
        self.assertEqual(name_clean("  de la Cruz \t"), "de la Cruz")
        self.assertEqual(name_clean("\u00a0\u200bÁlvarez\ufeff\n"), "Álvarez")  # no-break space, zero width, BOM
        self.assertEqual(name_clean("Mary  Ann"), "Mary  Ann")

    def test_letters_case_and_punctuation_are_kept_exactly(self):
        for name in ("McDONALD", "O’Brien", "Smith-Jones", "ÁLVAREZ", "Suharto"):
            with self.subTest(name=name):
                self.assertEqual(name_clean(name), name)

    def test_nothing_visible_is_an_empty_name(self):
        self.assertEqual(name_clean(" \u200b "), "")
        self.assertEqual(name_clean(None), "")


class NameKeyTests(SimpleTestCase):
    def test_capitals_and_accent_forms_give_one_key(self):
        keys = {name_key(name) for name in ("ÁLVAREZ", "álvarez", NFD_ALVAREZ, NFC_ALVAREZ, " A\u0301LVAREZ ")}
        self.assertEqual(keys, {"álvarez"})

    def test_full_case_folding_ligatures_and_typographic_punctuation(self):
        self.assertEqual(name_key("STRAẞE"), name_key("strasse"))
        self.assertEqual(name_key("\ufb01nn"), "finn")  # the "fi" ligature a PDF carries
        self.assertEqual(name_key("O’Brien"), name_key("o'brien"))
        self.assertEqual(name_key("Smith\u2010Jones"), name_key("SMITH-JONES"))
        self.assertEqual(name_key("de  la\u00a0Cruz"), "de la cruz")

    def test_names_printed_in_capitals_match_turkish_dotted_and_dotless_i(self):
        self.assertEqual(name_key("IŞIK"), name_key("Işık"))
        self.assertEqual(name_key("İNCE"), name_key("ince"))

    def test_accents_stay_significant(self):
        self.assertNotEqual(name_key("Peña"), name_key("Pena"))

    def test_a_very_long_expanding_name_gives_a_bounded_key(self):
        self.assertEqual(len(name_key("\ufdfa" * 100)), KEY_MAX_LENGTH)  # one character, 18 once decomposed


def _variants(text: str) -> list[str]:
    """The same name as typed, pasted decomposed, in capitals, in small letters, with outer spaces."""
    return [
        text,
        unicodedata.normalize("NFC", text),
        unicodedata.normalize("NFD", text),
        text.upper(),
        text.lower(),
        unicodedata.normalize("NFD", text.upper()),
        f"  {text}\u00a0",
    ]


class NameKeyPropertyTests(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=40))
    def test_name_key_is_idempotent(self, text):
        key = name_key(text)
        self.assertEqual(name_key(key), key)

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.characters(categories=("L", "M", "Zs")), max_size=30))
    def test_name_key_is_equal_for_nfc_nfd_and_case_variants(self, text):
        # Case variants of letters that fold the same way: upper() and lower() are one name for a person.
        self.assertEqual({name_key(variant) for variant in _variants(text)}, {name_key(text)})

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=40))
    def test_a_cleaned_name_keeps_its_key_and_is_nfc(self, text):
        cleaned = name_clean(text)
        self.assertTrue(unicodedata.is_normalized("NFC", cleaned))
        self.assertEqual(name_clean(cleaned), cleaned)
        self.assertEqual(name_key(cleaned), name_key(text))


class NameDisplayTests(SimpleTestCase):
    def test_last_comma_first(self):
        self.assertEqual(name_display("Álvarez", "María José"), "Álvarez, María José")

    def test_a_single_name_is_shown_exactly(self):
        self.assertEqual(name_display("Suharto", ""), "Suharto")
        self.assertEqual(name_display("Suharto"), "Suharto")


class PersonNameFieldTests(SimpleTestCase):
    def test_it_cleans_to_nfc_and_trims(self):
        self.assertEqual(PersonNameField(max_length=100).clean(f"  {NFD_ALVAREZ} "), NFC_ALVAREZ)

    def test_only_invisible_characters_is_required_next_to_the_field(self):
        field = PersonNameField(max_length=100)
        with self.assertRaisesMessage(Exception, "This field is required."):
            field.clean("\u200b \u00a0")
        self.assertEqual(PersonNameField(required=False).clean("  "), "")


class UserAdminNameTests(BaseTestCase):
    def test_the_user_admin_stores_names_in_nfc_trimmed(self):
        user = self.staff_a
        data = {
            "username": user.username,
            "first_name": " Jose\u0301 ",
            "last_name": NFD_ALVAREZ,
            "email": user.email,
            "is_active": "on",
            "date_joined": "2026-01-05 09:00",
            "home_agency": self.agency_a.pk,
        }
        form = UserNamesChangeForm(data, instance=user)
        self.assertTrue(form.is_valid(), form.errors)
        form.save()
        user.refresh_from_db()
        self.assertEqual((user.first_name, user.last_name), ("José", NFC_ALVAREZ))
