"""Tracking numbers of public complaints: random, no look-alike characters, grouped for the phone, unique."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from unittest import mock

from django.test import SimpleTestCase

from incidents.complaints import services
from incidents.complaints.tracking import ALPHABET, tracking_number_new, tracking_number_normalise
from tests.base import BaseTestCase

SHAPE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}$")


class TrackingNumberTests(SimpleTestCase):
    def test_the_alphabet_has_no_look_alikes(self):
        for confusable in "0O1IL":
            self.assertNotIn(confusable, ALPHABET)
        self.assertEqual(len(set(ALPHABET)), 30)

    def test_a_number_is_ten_symbols_in_three_groups(self):
        for _ in range(200):
            self.assertRegex(tracking_number_new(), SHAPE)

    def test_numbers_do_not_repeat(self):
        drawn = {tracking_number_new() for _ in range(5000)}
        self.assertEqual(len(drawn), 5000)

    def test_typed_numbers_are_normalised(self):
        self.assertEqual(tracking_number_normalise(" 7kqp x4m-rt9 "), "7KQP-X4M-RT9")
        self.assertEqual(tracking_number_normalise("7KQPX4MRT9"), "7KQP-X4M-RT9")
        self.assertIsNone(tracking_number_normalise("7KQP-X4M-RT"))
        self.assertIsNone(tracking_number_normalise("0KQP-X4M-RT9"))  # 0 is never in a number
        self.assertIsNone(tracking_number_normalise(""))
        self.assertIsNone(tracking_number_normalise("\x00" * 1000))


class TrackingNumberClashTests(BaseTestCase):
    def test_a_clash_draws_another_number(self):
        when = datetime(2026, 11, 20, tzinfo=UTC)
        first = services.complaint_submit(agency=self.agency_a, description="x", occurred_at=when)
        with mock.patch.object(services, "tracking_number_new", side_effect=[first.tracking_number, "2345-678-9AB"]):
            second = services.complaint_submit(agency=self.agency_a, description="y", occurred_at=when)
        self.assertEqual(second.tracking_number, "2345-678-9AB")
        self.assertEqual(second.events.count(), 1)
