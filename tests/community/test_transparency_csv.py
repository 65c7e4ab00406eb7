"""The transparency CSV: exactly the figures of the page, same suppression, same language, safe in a spreadsheet."""

from __future__ import annotations

from django.urls import reverse

from community.outreach.models import OutreachEvent
from community.transparency.page import CSV_HEADER
from tests.base import BaseTestCase
from tests.community.transparency_helpers import (
    csv_rows,
    csv_table,
    current_quarter_key,
    outreach_events,
    page_cells,
    pending_detainers,
    publish,
)

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


class TransparencyCsvTests(BaseTestCase):
    def setUp(self):
        outreach_events(
            self.agency_a,
            **{
                OutreachEvent.Kind.COMMUNITY_MEETING: 3,
                OutreachEvent.Kind.PRESENTATION: 14,
                OutreachEvent.Kind.MEDIA: 22,
            },
        )

    def urls(self, period=""):
        query = f"?period={period}" if period else ""
        page = reverse("transparency:agency", args=[self.agency_a.public_id]) + query
        return page, reverse("transparency:csv", args=[self.agency_a.public_id]) + query

    def test_the_csv_holds_exactly_the_cells_of_the_page(self):
        publish(self.agency_a, self.admin_a)
        for period in ("", current_quarter_key(self.agency_a), current_quarter_key(self.agency_a)[:4]):
            for language in ({}, SPANISH):
                with self.subTest(period=period, language=language):
                    page_url, csv_url = self.urls(period)
                    shown = page_cells(self.client.get(page_url, **language).content.decode())
                    rows = [row for row in csv_rows(self.client.get(csv_url, **language)) if row["table"]]
                    # Numbers are written plain in the CSV ("1234"), grouped on the page ("1,234" / "1.234").
                    from_csv = [(row["row"], row["column"], row["value"]) for row in rows]
                    self.assertEqual([(r, c, v.replace(",", "").replace(".", "")) for r, c, v in shown], from_csv)

    def test_suppressed_cells_read_fewer_than_the_threshold_in_both(self):
        pending_detainers(self.agency_a, level_1=3, level_2=14, level_3=22)
        publish(self.agency_a, self.admin_a, sections=["detainers"])
        page_url, csv_url = self.urls()
        rows = {(r["row"], r["column"]): r["value"] for r in csv_rows(self.client.get(csv_url))}
        level_1, level_2 = "Level 1: major drug or violent offense", "Level 2: minor drug or property offense"
        self.assertEqual(rows[(level_1, "Pending")], "fewer than 10")
        self.assertEqual(rows[(level_2, "Pending")], "fewer than 10")  # complementary
        self.assertEqual(rows[("Level 3: other offenses (e.g. traffic)", "Pending")], "22")
        page = {(r, c): v for r, c, v in page_cells(self.client.get(page_url).content.decode())}
        for key in ((level_1, "Pending"), (level_2, "Pending")):
            self.assertEqual(page[key], rows[key])
        spanish = csv_rows(self.client.get(csv_url, **SPANISH))
        self.assertIn("menos de 10", [next(iter(row.values())) and list(row.values())[-1] for row in spanish])
        self.assertNotIn("3", list(rows.values()))
        self.assertNotIn("14", list(rows.values()))

    def test_columns_facts_and_the_file_name(self):
        publish(self.agency_a, self.admin_a, sections=["outreach"])
        _page, csv_url = self.urls("2026")
        response = self.client.get(csv_url)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="transparency-{self.agency_a.public_id}-2026.csv"'
        )
        header, rows = csv_table(response)
        self.assertEqual(tuple(header), CSV_HEADER)
        facts = {row["row"]: row["value"] for row in rows if not row["table"]}
        self.assertEqual(facts["Steering-committee meetings held"], "0")
        self.assertEqual(facts["Next steering-committee meeting"], "Not scheduled")
        self.assertEqual({row["section"] for row in rows}, {"Community outreach and the steering committee"})

    def test_the_spanish_csv_has_a_spanish_header_explained_on_the_page(self):
        publish(self.agency_a, self.admin_a, sections=["outreach"])
        page_url, csv_url = self.urls()
        header, rows = csv_table(self.client.get(csv_url, **SPANISH))
        self.assertEqual(header, ["sección", "tabla", "fila", "columna", "valor"])
        self.assertEqual({row["section"] for row in rows}, {"Relación con la comunidad y comité directivo"})
        page = self.client.get(page_url, **SPANISH).content.decode()
        explained = page.split('data-testid="csv-columns"')[1].split("</details>")[0]
        for name in header:
            self.assertIn(f'<dt class="text-bold">{name}</dt>', explained)

    def test_the_csv_reads_the_published_copy_not_the_draft(self):
        pending_detainers(self.agency_a, level_1=7, level_3=22)
        publish(self.agency_a, self.admin_a, sections=["detainers"])
        from community.transparency.services import transparency_settings_save

        transparency_settings_save(
            agency=self.agency_a, actor=self.admin_a, sections=["complaints"], suppression_threshold=5
        )
        _page, csv_url = self.urls()
        rows = csv_rows(self.client.get(csv_url))
        self.assertEqual({row["section"] for row in rows}, {"Detainers"})
        values = {(r["row"], r["column"]): r["value"] for r in rows}
        # Still the published threshold of 10, not the draft's 5 (which would show the 7).
        self.assertEqual(values[("Level 1: major drug or violent offense", "Pending")], "fewer than 10")

    def test_only_the_chosen_sections_are_in_the_csv(self):
        publish(self.agency_a, self.admin_a, sections=["complaints"])
        _page, csv_url = self.urls()
        self.assertEqual({row["section"] for row in csv_rows(self.client.get(csv_url))}, {"Complaints"})

    def test_cells_starting_like_a_formula_are_neutralised(self):
        from community.transparency.page import TransparencyPage
        from community.transparency.page import csv_rows as page_csv_rows
        from community.transparency.periods import period_parse
        from community.transparency.tables import Fact, Section
        from compliance.core.spreadsheets import csv_lines

        page = TransparencyPage(
            agency=self.agency_a,
            period=period_parse("2026"),
            periods=(),
            period_refused=False,
            computed_at=None,
            threshold=10,
            sections=(Section("outreach", "=HYPERLINK(1)", facts=(Fact("x", "+cmd", "-2+3", "text"),)),),
        )
        text = "".join(csv_lines(CSV_HEADER, page_csv_rows(page)))
        self.assertIn("'=HYPERLINK(1),,'+cmd,,'-2+3", text)
