"""Every public page in English and Spanish (issue #11 item 1): no untranslated text, a complete catalog.

* Each template under ``templates/public/`` is read with its Django tags: every visible text
  node (and every ``title``, ``alt``, ``aria-label``, ``placeholder`` attribute) must be inside
  ``{% translate %}``/``{% blocktranslate %}`` or come from a variable; a literal English word
  outside them fails the test, naming the template and the text.
* Every message of the public templates and of the Python modules behind the public pages has a
  non-empty Spanish translation in ``locale/es/LC_MESSAGES/django.po``, none fuzzy, and the
  compiled ``.mo`` shipped beside it matches it (it is what the server reads).
* Each public page renders in Spanish (``lang="es"``) when the browser asks for Spanish, or after
  the language switcher (a plain form: no JavaScript) chose it.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils.translation.template import templatize

from incidents.complaints.services import complaint_submit
from tests.base import BaseTestCase
from tests.community.helpers import complaint_values

ROOT = Path(settings.BASE_DIR)
PUBLIC_TEMPLATES = sorted((ROOT / "templates" / "public").glob("*.html"))
#: The Python modules whose messages a visitor of the public pages can read.
PUBLIC_MODULES = [
    ROOT / "community" / "complaint_intake" / "forms.py",
    ROOT / "community" / "complaint_intake" / "views.py",
    ROOT / "incidents" / "case_files" / "services.py",
    ROOT / "incidents" / "complaints" / "services.py",
    ROOT / "incidents" / "complaints" / "notices.py",
    # The public transparency page: its texts, section titles, table and fact labels, periods.
    ROOT / "community" / "transparency" / "page.py",
    ROOT / "community" / "transparency" / "sections.py",
    ROOT / "community" / "transparency" / "figures.py",
    ROOT / "community" / "transparency" / "periods.py",
]
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
VISIBLE_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
TRANSLATED, VARIABLE = "\x01", "\x02"
_BLOCK_TRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.DOTALL)
_TRANSLATE = re.compile(r"{%\s*trans(?:late)?\s.*?%}", re.DOTALL)
_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)
_OTHER = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
_WORD = re.compile(r"[^\W\d_]", re.UNICODE)


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def untranslated_texts(source: str) -> list[str]:
    """The visible literal texts of a template that are not inside a translate tag (words only)."""
    source = _COMMENT.sub("", source)
    source = _BLOCK_TRANSLATE.sub(TRANSLATED, source)
    source = _TRANSLATE.sub(TRANSLATED, source)
    source = _OTHER.sub(VARIABLE, source)
    parser = _Visible()
    parser.feed(source)
    leftovers = [text.replace(TRANSLATED, " ").replace(VARIABLE, " ").strip() for text in parser.texts]
    return [text for text in leftovers if _WORD.search(text)]


def template_messages(path: Path) -> set[str]:
    """The msgids of one template (as makemessages extracts them: Django's ``templatize``)."""
    found = set()
    for call in re.finditer(r"\b(?:n|p|np)?gettext\((.*?)\)\s", templatize(path.read_text(), origin=str(path))):
        node = ast.parse(call.group(0).strip(), mode="eval").body
        found.add(node.args[0].value)
    return found


def python_messages(path: Path) -> set[str]:
    """The msgids of one module: the first argument of each gettext/gettext_lazy/ngettext call."""
    names = {"gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "_"}
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        call = isinstance(node, ast.Call) and getattr(node.func, "id", None) in names and node.args
        if call and isinstance(node.args[0], ast.Constant):
            found.add(node.args[0].value)
    return found


def po_entries() -> list[dict]:
    """The catalog's entries: msgid, msgstr (the first form for plurals), flags, msgctxt (or None)."""
    entries, current, key = [], None, None
    for line in PO.read_text().splitlines() + [""]:
        if not line.strip():
            if current and current.get("msgid"):
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": set(), "msgid": "", "msgstr": [], "plural": False, "msgctxt": None}
        if line.startswith("#,"):
            current["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                key = match.group(1)
                value = ast.literal_eval(match.group(2))
                if key == "msgctxt":
                    current["msgctxt"] = value
                elif key.startswith("msgstr"):
                    current["msgstr"].append(value)
                else:
                    current["plural"] |= key == "msgid_plural"
                    current[key] = value if key == "msgid" else value
            elif line.startswith('"') and key:
                value = ast.literal_eval(line)
                if key.startswith("msgstr"):
                    current["msgstr"][-1] += value
                elif key == "msgid":
                    current["msgid"] += value
    return entries


class TemplateTranslationTests(SimpleTestCase):
    def test_the_checker_finds_an_untranslated_string(self):
        self.assertEqual(untranslated_texts("<p>{% translate 'Hello' %}</p><p>Goodbye</p>"), ["Goodbye"])
        self.assertEqual(untranslated_texts('<abbr title="required">*</abbr>'), ["required"])
        self.assertEqual(
            untranslated_texts("<p>{% blocktranslate %}Hi {{ x }}{% endblocktranslate %} · {{ y }}</p>"), []
        )

    def test_every_public_template_has_only_translated_text(self):
        self.assertGreaterEqual(len(PUBLIC_TEMPLATES), 8)
        for path in PUBLIC_TEMPLATES:
            with self.subTest(template=path.name):
                self.assertEqual(untranslated_texts(path.read_text()), [], "wrap these in {% translate %}")

    def test_the_spanish_catalog_has_no_empty_or_fuzzy_entry(self):
        entries = po_entries()
        self.assertGreater(len(entries), 100)
        for entry in entries:
            with self.subTest(msgid=entry["msgid"][:60]):
                self.assertNotIn("fuzzy", entry["flags"])
                self.assertTrue(all(entry["msgstr"]), "empty translation")

    def test_every_public_message_is_in_the_spanish_catalog(self):
        catalog = {entry["msgid"] for entry in po_entries()}
        wanted = set().union(*(template_messages(path) for path in PUBLIC_TEMPLATES))
        wanted |= set().union(*(python_messages(path) for path in PUBLIC_MODULES))
        self.assertGreater(len(wanted), 80)
        self.assertEqual(sorted(wanted - catalog), [], "run makemessages (docs/translations.md) and translate them")

    def test_the_compiled_catalog_matches_the_po_file(self):
        with MO.open("rb") as handle:
            compiled = gnu_gettext.GNUTranslations(handle)
        for entry in po_entries():
            if not entry["plural"]:
                with self.subTest(msgid=entry["msgid"][:60]):
                    found = (
                        compiled.pgettext(entry["msgctxt"], entry["msgid"])
                        if entry["msgctxt"] is not None
                        else compiled.gettext(entry["msgid"])
                    )
                    self.assertEqual(found, entry["msgstr"][0], "run compilemessages")

    @skipUnless(shutil.which("msgfmt"), "GNU gettext's msgfmt is not installed")
    def test_the_po_file_is_valid_for_msgfmt(self):
        result = subprocess.run(  # noqa: S603 (a fixed command on our own file)
            [shutil.which("msgfmt"), "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True, check=False
        )
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_spanish_is_offered_because_its_catalog_is_present(self):
        self.assertEqual([code for code, _ in settings.LANGUAGES], ["en", "es"])
        self.assertEqual(dict(settings.LANGUAGES)["es"], "español")


class SpanishPagesTests(BaseTestCase):
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}

    def assertSpanish(self, response, *texts, status=200):
        self.assertEqual(response.status_code, status)
        self.assertContains(response, '<html lang="es">', status_code=status)
        for text in texts:
            self.assertContains(response, text, status_code=status)

    def test_the_complaint_form_in_spanish(self):
        response = self.client.get(reverse("complaints:new"), **self.spanish)
        self.assertSpanish(response, "Presentar una queja sobre un agente", "¿Sobre qué agencia es su queja?", "Enviar")
        self.assertContains(response, '<option value="es" selected>español</option>')  # preferred language: Spanish

    def test_the_refused_form_in_spanish(self):
        values = complaint_values(self.agency_a, description="", occurred_on="2199-01-01", language="es")
        response = self.client.post(reverse("complaints:new"), values, **self.spanish)
        self.assertSpanish(response, "Hay un problema con lo que escribió", "La fecha no puede ser futura.")
        self.assertContains(response, "Este campo es obligatorio.")  # Django's own message, in Spanish

    def test_the_received_page_in_spanish(self):
        self.client.post(reverse("complaints:new"), complaint_values(self.agency_a), **self.spanish)
        response = self.client.get(reverse("complaints:received"), **self.spanish)
        self.assertSpanish(response, "Recibimos su queja", "Su número de seguimiento")

    def test_the_status_page_in_spanish(self):
        incident = complaint_submit(
            agency=self.agency_a, description="x", occurred_at=datetime(2026, 11, 20, tzinfo=UTC), language="es"
        )
        self.assertSpanish(self.client.get(reverse("complaints:status"), **self.spanish), "Estado de una queja")
        found = self.client.post(
            reverse("complaints:status"), {"tracking_number": incident.tracking_number}, **self.spanish
        )
        self.assertSpanish(found, "Recibida: en espera de revisión", "Recibida el")
        missing = self.client.post(reverse("complaints:status"), {"tracking_number": "ZZZZ-ZZZ-ZZZ"}, **self.spanish)
        self.assertSpanish(missing, "No se encontró ninguna queja con este número de seguimiento.")

    def test_the_language_switcher_works_without_javascript(self):
        page = self.client.get(reverse("complaints:new"))
        self.assertContains(page, '<html lang="en">')
        self.assertContains(page, f'action="{reverse("set_language")}"')
        self.assertContains(page, 'name="language" value="es" lang="es"')
        response = self.client.post(reverse("set_language"), {"language": "es", "next": reverse("complaints:new")})
        self.assertRedirects(response, reverse("complaints:new"), fetch_redirect_response=False)
        self.assertSpanish(self.client.get(reverse("complaints:new")), "Presentar una queja sobre un agente")
        self.client.post(reverse("set_language"), {"language": "en", "next": reverse("complaints:status")})
        self.assertContains(self.client.get(reverse("complaints:status")), '<html lang="en">')

    def test_staff_pages_stay_english_for_a_spanish_browser(self):
        response = self.client.post(reverse("account_login"), {"login": "", "password": ""}, **self.spanish)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "This field is required.")
        self.assertNotContains(response, "obligatorio")
