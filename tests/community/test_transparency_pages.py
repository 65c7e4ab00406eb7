"""The public transparency pages: what they show, to whom, in which language, with what headers."""

from __future__ import annotations

import re
import uuid

from django.test import override_settings
from django.urls import reverse

from community.outreach.models import OutreachEvent
from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.community.transparency_helpers import (
    current_quarter_key,
    outreach_events,
    page_tables,
    pending_detainers,
    publish,
)

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


class TransparencyPageTests(BaseTestCase):
    def page_url(self, agency=None, period=None):
        url = reverse("transparency:agency", args=[(agency or self.agency_a).public_id])
        return f"{url}?period={period}" if period else url

    def test_the_index_lists_only_agencies_that_publish(self):
        publish(self.agency_a, self.admin_a)
        response = self.client.get(reverse("transparency:index"))
        self.assertContains(response, self.agency_a.name.replace("'", "&#x27;"))
        self.assertContains(response, self.page_url())
        self.assertNotContains(response, str(self.agency_b.public_id))

    def test_an_unknown_or_unpublished_agency_answers_404(self):
        for url in (
            reverse("transparency:agency", args=[uuid.uuid4()]),
            self.page_url(self.agency_b),  # no settings at all
            reverse("transparency:csv", args=[self.agency_b.public_id]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_withdrawn_page_answers_404_again(self):
        from community.transparency.services import transparency_withdraw

        publish(self.agency_a, self.admin_a)
        self.assertEqual(self.client.get(self.page_url()).status_code, 200)
        transparency_withdraw(agency=self.agency_a, actor=self.admin_a)
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertNotContains(self.client.get(reverse("transparency:index")), str(self.agency_a.public_id))

    def test_the_page_shows_only_the_chosen_sections(self):
        publish(self.agency_a, self.admin_a, sections=["complaints", "outreach"])
        response = self.client.get(self.page_url())
        self.assertContains(response, 'data-testid="section-complaints"')
        self.assertContains(response, 'data-testid="section-outreach"')
        for hidden in ("agreements", "officers", "detainers"):
            self.assertNotContains(response, f'data-testid="section-{hidden}"')
        self.assertNotContains(response, "Detainers received, by offense level and outcome")

    def test_a_small_count_shows_as_fewer_than_the_threshold_with_a_note(self):
        pending_detainers(self.agency_a, level_1=3, level_2=14, level_3=22)
        publish(self.agency_a, self.admin_a, sections=["detainers"])
        response = self.client.get(self.page_url())
        table = page_tables(response.content.decode())["detainers_by_level_and_outcome"]
        pending = table[0].index("Pending")
        rows = {row[0]: row[pending] for row in table[1:]}
        self.assertEqual(rows["Level 1: major drug or violent offense"], "fewer than 10")
        # Complementary suppression: with the column's total shown, 14 at level 2 would give the 3 away.
        self.assertEqual(rows["Level 2: minor drug or property offense"], "fewer than 10")
        self.assertEqual(rows["Level 3: other offenses (e.g. traffic)"], "22")
        note = response.content.decode().split('data-testid="suppression-note">')[1].split("</p>")[0]
        self.assertIn("any count from 1 to 9 is shown as “fewer than 10”", note)
        self.assertEqual(response.content.decode().count('data-testid="suppression-note"'), 1)  # once per page
        self.assertNotContains(response, ">3<")
        self.assertNotContains(response, ">14<")

    def test_counts_of_outreach_events_are_published_as_they_are(self):
        # Events and meetings are the agency's own public acts: they identify nobody.
        outreach_events(self.agency_a, **{OutreachEvent.Kind.COMMUNITY_MEETING: 3, OutreachEvent.Kind.PRESENTATION: 1})
        publish(self.agency_a, self.admin_a, sections=["outreach"])
        response = self.client.get(self.page_url())
        rows = {row[0]: row[1:] for row in page_tables(response.content.decode())["outreach_events"][1:]}
        self.assertEqual((rows["Community meetings"], rows["Presentations"], rows["Total"]), (["3"], ["1"], ["4"]))
        self.assertNotIn("fewer than 10", response.content.decode().split('data-testid="table-outreach_events"')[1])

    def test_the_threshold_is_the_agencys(self):
        outreach_events(self.agency_a, **{OutreachEvent.Kind.COMMUNITY_MEETING: 6, OutreachEvent.Kind.PRESENTATION: 8})
        publish(self.agency_a, self.admin_a, sections=["outreach"], threshold=5)
        rows = {
            row[0]: row[1:]
            for row in page_tables(self.client.get(self.page_url()).content.decode())["outreach_events"][1:]
        }
        self.assertEqual(rows["Community meetings"], ["6"])
        self.assertEqual(rows["Presentations"], ["8"])
        self.assertEqual(rows["Total"], ["14"])

    def test_a_bad_period_shows_the_latest_quarter_with_a_message(self):
        publish(self.agency_a, self.admin_a)
        quarter = current_quarter_key(self.agency_a)
        for bad in ("nonsense", "2199-Q4", "1850", "2026-Q5", "'; DROP TABLE", "9" * 500):
            with self.subTest(period=bad[:20]):
                response = self.client.get(self.page_url(period=bad))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'data-testid="period-refused"')
                self.assertContains(response, f'<option value="{quarter}" selected>')
        self.assertNotContains(self.client.get(self.page_url()), 'data-testid="period-refused"')

    def test_the_picker_offers_quarters_and_years_and_a_year_is_shown(self):
        publish(self.agency_a, self.admin_a)
        year = current_quarter_key(self.agency_a)[:4]
        response = self.client.get(self.page_url(period=year))
        self.assertContains(response, f'<option value="{year}" selected>{year} (whole year)</option>', html=False)
        self.assertContains(response, f'<option value="{year}-Q1"')
        self.assertContains(response, f"?period={year}")  # the CSV link keeps the period
        self.assertContains(response, 'data-testid="last-updated"')

    def test_charts_are_decorative_and_carry_the_responses_nonce(self):
        outreach_events(self.agency_a, **{OutreachEvent.Kind.PRESENTATION: 12})
        publish(self.agency_a, self.admin_a, sections=["outreach"])
        response = self.client.get(self.page_url())
        html = response.content.decode()
        self.assertIn('<div class="app-chart" aria-hidden="true"><svg', html)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        self.assertIn(f'<style nonce="{nonce}"', html)
        self.assertNotIn("<script>", html)
        self.assertNotRegex(html, r"<script(?![^>]*nonce=)")
        self.assertNotIn(' style="', html)

    def test_security_and_cache_headers(self):
        publish(self.agency_a, self.admin_a)
        page = self.client.get(self.page_url())
        self.assertIn("script-src", page["Content-Security-Policy"])
        self.assertEqual(page["X-Content-Type-Options"], "nosniff")
        self.assertEqual(page["Referrer-Policy"], "same-origin")
        # HTML: a browser may keep it 5 minutes, a shared cache never (per-response nonce, CSRF cookie).
        self.assertEqual(sorted(page["Cache-Control"].split(", ")), ["max-age=300", "private"])
        self.assertIn("Accept-Language", page["Vary"])
        figures = self.client.get(reverse("transparency:csv", args=[self.agency_a.public_id]))
        self.assertEqual(sorted(figures["Cache-Control"].split(", ")), ["max-age=300", "public"])
        self.assertEqual(figures["X-Content-Type-Options"], "nosniff")

    def test_a_signed_in_visitor_gets_no_store(self):
        publish(self.agency_a, self.admin_a)
        sign_in(self.client, self.staff_a)
        self.assertIn("no-store", self.client.get(self.page_url())["Cache-Control"])

    def test_the_page_in_spanish(self):
        outreach_events(self.agency_a, **{OutreachEvent.Kind.COMMUNITY_MEETING: 2, OutreachEvent.Kind.PRESENTATION: 30})
        publish(self.agency_a, self.admin_a)
        response = self.client.get(self.page_url(), **SPANISH)
        self.assertContains(response, '<html lang="es">')
        self.assertContains(response, "Cifras de Alder County Sheriff&#x27;s Office")
        self.assertContains(response, "Reuniones comunitarias")
        self.assertContains(response, "menos de 10")
        self.assertContains(response, "Última actualización:")
        self.assertContains(response, "Descargar estas cifras (CSV)")
        self.assertContains(response, "trimestre")
        self.assertNotContains(response, "fewer than")
        self.assertContains(
            self.client.get(reverse("transparency:index"), **SPANISH), "Cifras publicadas por las agencias"
        )

    def test_a_table_without_chart_says_why(self):
        pending_detainers(self.agency_a, level_1=3, level_3=22)
        publish(self.agency_a, self.admin_a, sections=["detainers"])
        response = self.client.get(self.page_url())
        html = response.content.decode()
        block = html.split('data-testid="table-detainers_by_level_and_outcome"')[1].split("</table>")[1]
        self.assertIn("No chart: some figures are withheld to protect privacy.", block)
        spanish = self.client.get(self.page_url(), **SPANISH)
        self.assertContains(spanish, "Sin gráfico: algunas cifras se ocultan para proteger la privacidad.")

    def test_the_sign_in_pages_spanish_links_open_the_pages_in_spanish(self):
        from django.conf import settings

        login = self.client.get(reverse("account_login"))
        self.assertContains(login, f'href="{reverse("transparency:index")}?lang=es"')
        self.assertContains(login, f'href="{reverse("complaints:new")}?lang=es"')
        response = self.client.get(reverse("transparency:index") + "?lang=es")
        self.assertContains(response, '<html lang="es">')
        self.assertContains(response, "Cifras publicadas por las agencias")
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "es")
        # The choice is remembered like the switcher's: the next page is Spanish without the parameter.
        self.assertContains(self.client.get(reverse("complaints:new")), '<html lang="es">')
        # An unknown code is ignored; a staff page never follows it.
        self.client.cookies.clear()
        self.assertContains(self.client.get(reverse("transparency:index") + "?lang=xx"), '<html lang="en">')
        self.assertContains(self.client.get(reverse("account_login") + "?lang=es"), '<html lang="en">')

    def test_the_switcher_keeps_the_period(self):
        publish(self.agency_a, self.admin_a)
        response = self.client.get(self.page_url(period="2026"))
        self.assertContains(response, f'name="next" value="{self.page_url(period="2026")}"')
        response = self.client.get(self.page_url(period="<b>junk</b>"))  # not echoed: the period shown instead
        self.assertContains(response, f'name="next" value="{self.page_url(period=current_quarter_key(self.agency_a))}"')

    def test_complaint_pages_link_to_the_figures(self):
        self.assertContains(self.client.get(reverse("complaints:new")), reverse("transparency:index"))

    @override_settings(RATE_LIMITS_PER_ADDRESS={"transparency": (3, 3600)})
    def test_too_many_requests_from_one_address_get_a_429_in_the_visitors_language(self):
        publish(self.agency_a, self.admin_a)
        for _ in range(3):
            self.assertEqual(self.client.get(self.page_url(), **SPANISH).status_code, 200)
        refused = self.client.get(reverse("transparency:csv", args=[self.agency_a.public_id]), **SPANISH)
        self.assertEqual(refused.status_code, 429)
        self.assertContains(refused, '<html lang="es">', status_code=429)
        self.assertContains(refused, "Este límite protege las cifras públicas", status_code=429)
        self.assertGreater(int(refused["Retry-After"]), 0)
        self.assertTrue(AccessLog.objects.filter(outcome=AccessLog.Outcome.THROTTLED).exists())
        other = self.client.get(self.page_url(), REMOTE_ADDR="192.0.2.77")
        self.assertEqual(other.status_code, 200, "another address is not limited")

    def test_the_page_costs_a_fixed_number_of_queries(self):
        publish(self.agency_a, self.admin_a)
        url = self.page_url()
        self.client.get(url)  # the figures are cached now
        with self.assertNumQueries(1):  # the settings and agency (one join); the figures come from the cache
            self.client.get(url)
        outreach_events(self.agency_a, **{OutreachEvent.Kind.PRESENTATION: 25})
        self.client.get(url)
        with self.assertNumQueries(1):
            self.client.get(url)


class TransparencyChartTests(BaseTestCase):
    def test_a_bar_chart_lists_the_rows_top_down_in_the_tables_order(self):
        from community.transparency.charts import table_chart_svg
        from community.transparency.tables import Cell, CountTable, PublishedTable

        source = CountTable(
            key="invented",
            title="Invented table",
            row_header="Kind",
            rows=("Alpha row", "Beta row", "Gamma row"),
            columns=("Events",),
            cells=((10,), (30,), (20,)),
        )
        table = PublishedTable(source=source, threshold=10, cells=tuple((Cell(row[0]),) for row in source.cells))
        svg = table_chart_svg(table)
        heights = {
            label: float(y)
            for y, label in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*>(Alpha row|Beta row|Gamma row)</text>', svg)
        }
        self.assertEqual(sorted(heights, key=heights.get), ["Alpha row", "Beta row", "Gamma row"])  # SVG y grows down
