"""The shipped consular country list survives a database flush (R5.6): loaded again, with its baseline history."""

from __future__ import annotations

from django.core.management import call_command
from django.test import TransactionTestCase

from incidents.consular.models import ConsularCountry, ConsularCountryList
from incidents.consular.shipped_list import BASELINE_REASON, DATA, VERSION


class ShippedListAfterFlushTests(TransactionTestCase):
    def test_a_flushed_database_gets_the_shipped_list_back_with_its_first_history_rows(self):
        call_command("flush", interactive=False, verbosity=0)  # as a TransactionTestCase's teardown does
        (country_list,) = ConsularCountryList.objects.all()
        self.assertEqual(country_list.version, VERSION)
        shipped_rows = len(DATA.read_text(encoding="utf-8").strip().splitlines()) - 1  # the CSV's rows
        self.assertEqual(ConsularCountry.objects.filter(country_list=country_list).count(), shipped_rows)
        history = list(ConsularCountryList.history.values_list("history_type", "history_change_reason", "history_user"))
        self.assertEqual(history, [("+", BASELINE_REASON, None)])
        self.assertEqual(
            set(ConsularCountry.history.values_list("history_type", "history_change_reason")), {("+", BASELINE_REASON)}
        )
        self.assertEqual(ConsularCountry.history.count(), shipped_rows)

    def test_an_agencys_own_later_list_is_left_alone(self):
        ConsularCountryList.objects.update(version="AGENCY-2027")
        call_command("migrate", verbosity=0)  # post_migrate again: a list exists, nothing is loaded
        self.assertEqual(list(ConsularCountryList.objects.values_list("version", flat=True)), ["AGENCY-2027"])
