"""Headers and deployment (SECURITY.md E3, F1–F3): HTTPS and HSTS, a real SECRET_KEY, the CSP, no-store.

Production settings are loaded in a subprocess with the production environment (DEBUG off, a
strong key, ALLOWED_HOSTS), as test_settings.py does; the CSP and Cache-Control are checked on the
test server's real responses.
"""

import re
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_detainer, make_ready_report
from tests.compliance.test_settings import run_python
from tests.training.helpers import make_certification, make_course, make_officer
from tests.training.test_evidence import tiny_pdf
from training.evidence import services as evidence

STRONG_KEY = "an-invented-production-like-secret-key-0123456789-abcdef"
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "compliance.example.gov"}
MANAGE = "import runpy, sys; sys.argv = {argv!r}; runpy.run_path('manage.py', run_name='__main__')"
WEAK_KEY_MESSAGE = (
    "SECRET_KEY is too weak: use at least 50 random characters, e.g. "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
)


def test_F1_check_deploy_passes_with_production_settings():
    argv = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = run_python(MANAGE.format(argv=argv), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_F1_a_weak_secret_key_stops_the_process_with_debug_off():
    weak = {
        "49 characters": "x1y2z3" * 8 + "q",
        "4 distinct characters": "abcd" * 20,
        "the development default": settings.DEVELOPMENT_SECRET_KEY,
        "Django's startproject key": "django-insecure-" + "k3" * 30,
    }
    for reason, key in weak.items():
        result = run_python(MANAGE.format(argv=["manage.py", "check"]), **{**PRODUCTION, "SECRET_KEY": key})
        assert result.returncode == 1, reason
        assert result.stderr.strip().splitlines() == [WEAK_KEY_MESSAGE], reason


def test_F1_the_development_default_is_kept_only_with_debug_on():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'compliance.settings'; django.setup(); "
        "from django.conf import settings as s; print(s.SECRET_KEY == s.DEVELOPMENT_SECRET_KEY)",
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


HTTPS = """
import django, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'compliance.settings'
django.setup()
from django.test import Client
client = Client(HTTP_HOST='compliance.example.gov')
plain = client.get('/accounts/login/?next=/')
print(plain.status_code, plain['Location'])
secure = client.get('/custody/', secure=True)
print(secure['Strict-Transport-Security'])
proxied = client.get('/custody/', HTTP_X_FORWARDED_PROTO='https')
print(proxied.status_code, proxied.get('Strict-Transport-Security', '-'))
"""


def test_E3_http_is_sent_to_https_with_hsts_for_a_year_and_subdomains():
    result = run_python(HTTPS, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    plain, hsts, proxied = result.stdout.strip().splitlines()
    assert plain == "301 https://compliance.example.gov/accounts/login/?next=/"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    # Without a proxy in front (PROXY_COUNT unset) the client's X-Forwarded-Proto is not believed.
    assert proxied.startswith("301 ")


def test_E3_behind_the_proxy_its_forwarded_proto_counts():
    result = run_python(HTTPS, **PRODUCTION, PROXY_COUNT="1")
    assert result.returncode == 0, result.stderr
    _plain, _hsts, proxied = result.stdout.strip().splitlines()
    assert proxied == "302 max-age=31536000; includeSubDomains; preload"  # to sign in, over https


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


class ContentSecurityPolicyTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.supervisor_a)
        self.detainer = make_detainer(self.agency_a, 1)

    def pages(self) -> list[str]:
        return [
            reverse("dashboard"),
            reverse("incidents:detainer_list"),
            reverse("incidents:detainer_detail", args=[self.detainer.public_id]),
            reverse("incidents:detainer_create"),
            reverse("incidents:custody_board"),
            reverse("incidents:offense_levels"),
            reverse("training:roster"),
            reverse("usersessions_list"),
        ]

    def test_F2_every_page_has_the_policy_with_a_fresh_nonce_and_no_unsafe_inline(self):
        for url in self.pages():
            with self.subTest(url):
                first, second = self.client.get(url), self.client.get(url)
                self.assertEqual(first.status_code, 200)
                policy = csp_directives(first)
                self.assertEqual(policy["default-src"], ["'self'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["base-uri"], ["'none'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertEqual(policy["form-action"], ["'self'"])
                self.assertEqual(policy["img-src"], ["'self'", "data:"])
                self.assertNotIn("'unsafe-inline'", first["Content-Security-Policy"])
                self.assertNotIn("'unsafe-eval'", first["Content-Security-Policy"])
                nonces = [
                    re.fullmatch(r"'nonce-([A-Za-z0-9+/=]+)'", policy["script-src"][1]).group(1)
                    for policy in (policy, csp_directives(second))
                ]
                self.assertEqual(policy["script-src"][0], "'self'")
                self.assertNotEqual(nonces[0], nonces[1])
                # Every script element of the page carries this response's nonce.
                html = first.content.decode()
                scripts = re.findall(r"<script\b[^>]*>", html)
                self.assertTrue(scripts)
                for tag in scripts:
                    if 'type="application/json"' in tag:
                        continue  # data, never run
                    self.assertIn(f'nonce="{nonces[0]}"', tag)

    def test_F2_the_sign_in_page_and_a_404_have_the_policy_too(self):
        self.client.post(reverse("account_logout"))
        for url, status in ((reverse("account_login"), 200), ("/no-such-page/", 404)):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, status)
                self.assertIn("'nonce-", csp_directives(response)["script-src"][1])

    def test_F2_other_security_headers(self):
        response = self.client.get(reverse("dashboard"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_F2_the_charts_style_runs_only_with_the_nonce(self):
        response = self.client.get(reverse("dashboard"))
        nonce = re.search(r"'nonce-([^']+)'", csp_directives(response)["style-src"][1]).group(1)
        html = response.content.decode()
        styles = re.findall(r"<style\b[^>]*>", html)
        self.assertTrue(styles, "the dashboard shows a chart")
        self.assertEqual(styles, [f'<style nonce="{nonce}" type="text/css">'] * len(styles))
        self.assertNotRegex(html, r"\sstyle=")


TEMPLATES = Path(settings.BASE_DIR) / "templates"
#: Rendered by WeasyPrint into PDF files (compliance.reports.rendering), never served as pages.
#: Every template under templates/reports/: the PDF parts, the contents, the footer overlay and their base.
PDF_TEMPLATES = {f"reports/{path.name}" for path in (TEMPLATES / "reports").glob("*.html")}


def test_F2_no_served_template_has_inline_script_style_or_event_handlers():
    served = [path for path in TEMPLATES.rglob("*.html") if path.relative_to(TEMPLATES).as_posix() not in PDF_TEMPLATES]
    assert len(served) > 50
    for path in served:
        text = path.read_text()
        name = path.relative_to(TEMPLATES).as_posix()
        for tag in re.findall(r"<script\b[^>]*>", text):
            # A file of this site (script-src 'self'), or data that is never run (type="application/json").
            assert "src=" in tag or 'type="application/json"' in tag, f"{name}: inline script {tag}"
        assert not re.search(r"<style\b", text), f"{name}: <style> element"
        assert not re.search(r"\sstyle=", text), f"{name}: style attribute"
        assert not re.search(r"\son[a-z]+=", text), f"{name}: inline event handler"
        assert "javascript:" not in text, f"{name}: javascript: URL"


def test_F2_the_pdf_templates_are_only_rendered_by_weasyprint():
    from compliance.reports.catalog import KINDS
    from compliance.reports.engine import FOOTER_TEMPLATE, PART_BASE, TOC_TEMPLATE

    templates = {name for kind in KINDS.values() for name in kind.templates} | {
        TOC_TEMPLATE,
        FOOTER_TEMPLATE,
        PART_BASE,
    }
    assert templates == PDF_TEMPLATES


NO_STORE = {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"}


class NoStoreTests(BaseTestCase):
    """F3: nothing a signed-in user receives is kept by a browser or proxy cache."""

    def setUp(self):
        sign_in(self.client, self.supervisor_a)

    def assertNoStore(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertEqual({part.strip() for part in response["Cache-Control"].split(",")}, NO_STORE)

    def test_F3_a_detainer_page(self):
        detainer = make_detainer(self.agency_a, 1)
        self.assertNoStore(self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id])))

    def test_F3_lists_and_exports(self):
        agency = f"?agency={self.agency_a.public_id}"
        for url in (
            reverse("incidents:detainer_list"),
            reverse("training:roster"),
            reverse("incidents:detainer_export") + agency,
            reverse("training:roster_export_csv") + agency,
        ):
            with self.subTest(url):
                self.assertNoStore(self.client.get(url))

    def test_F3_a_report_download(self):
        report = make_ready_report(self.agency_a, self.supervisor_a)
        self.assertNoStore(self.client.get(reverse("reports:download", args=[report.public_id])))

    def test_F3_a_certificate_download(self):
        officer = make_officer(self.agency_a, "A-1", last="Alvarez", first="Rosa")
        certification = make_certification(officer, make_course(self.agency_a, "IADP"), date(2025, 6, 2))
        stored = evidence.certificate_attach(
            actor=self.supervisor_a, certification=certification, upload=SimpleUploadedFile("c.pdf", tiny_pdf())
        )
        self.assertNoStore(self.client.get(reverse("training:certificate_download", args=[stored.public_id])))

    def test_F3_static_files_keep_their_caching(self):
        response = self.client.get("/static/css/app.css")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("no-store", response.get("Cache-Control", ""))
