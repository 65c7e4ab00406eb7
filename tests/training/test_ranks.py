"""The rank order page (issue #11 item 2) and the officer form's rank and sign-in account fields."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.test_access_matrix import form_body
from tests.training.helpers import make_officer
from training.ranks import services
from training.roster import services as roster_services
from training.roster.models import Officer, Rank


class RankOrderPageTests(BaseTestCase):
    def test_an_administrator_lists_and_adds_ranks_most_senior_first(self):
        Rank.objects.create(agency=self.agency_a, name="Deputy", seniority=10)
        sign_in(self.client, self.admin_a)
        response = self.client.post(reverse("training:rank_list"), {"name": "Sergeant", "seniority": 20})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(reverse("training:rank_list"))
        self.assertEqual([rank.name for rank in page.context["ranks"]], ["Sergeant", "Deputy"])

    def test_a_duplicate_name_is_refused_next_to_the_field(self):
        Rank.objects.create(agency=self.agency_a, name="Deputy", seniority=10)
        sign_in(self.client, self.admin_a)
        response = self.client.post(reverse("training:rank_list"), {"name": "deputy", "seniority": 15})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["form"].errors["name"], [services.NAME_TAKEN])
        self.assertEqual(Rank.objects.filter(agency=self.agency_a).count(), 1)

    def test_an_administrator_edits_the_seniority(self):
        rank = Rank.objects.create(agency=self.agency_a, name="Deputy", seniority=10)
        sign_in(self.client, self.admin_a)
        response = self.client.post(
            reverse("training:rank_edit", args=[rank.public_id]), {"name": "Deputy", "seniority": 5}
        )
        self.assertEqual(response.status_code, 302)
        rank.refresh_from_db()
        self.assertEqual(rank.seniority, 5)

    def test_a_rank_is_deleted_only_when_no_officer_holds_it(self):
        rank = Rank.objects.create(agency=self.agency_a, name="Deputy", seniority=10)
        officer = make_officer(self.agency_a, "R-1", rank=rank)
        sign_in(self.client, self.admin_a)
        self.client.post(reverse("training:rank_delete", args=[rank.public_id]))
        self.assertTrue(Rank.objects.filter(pk=rank.pk).exists())
        Officer.objects.filter(pk=officer.pk).update(rank=None)
        self.client.post(reverse("training:rank_delete", args=[rank.public_id]))
        self.assertFalse(Rank.objects.filter(pk=rank.pk).exists())

    def test_supervisors_get_404_and_another_agencys_administrator_too(self):
        rank = Rank.objects.create(agency=self.agency_a, name="Deputy", seniority=10)
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(reverse("training:rank_list")).status_code, 404)
        admin_b = make_user("admin_b", agency=self.agency_b, role=Role.ADMINISTRATOR)
        sign_in(self.client, admin_b)
        self.assertEqual(self.client.get(reverse("training:rank_edit", args=[rank.public_id])).status_code, 404)


class OfficerRankAndAccountTests(BaseTestCase):
    def test_the_officer_form_sets_the_rank_and_the_sign_in_account(self):
        rank = Rank.objects.create(agency=self.agency_a, name="Sergeant", seniority=20)
        officer = make_officer(self.agency_a, "R-1")
        sign_in(self.client, self.staff_a)
        url = reverse("training:officer_edit", args=[officer.public_id])
        body = form_body(self.client.get(url).content.decode(), url)
        response = self.client.post(url, {**body, "rank": rank.public_id, "user": self.supervisor_a.pk})
        self.assertEqual(response.status_code, 302)
        officer.refresh_from_db()
        self.assertEqual((officer.rank, officer.user), (rank, self.supervisor_a))

    def test_an_account_belongs_to_one_officer(self):
        make_officer(self.agency_a, "R-1", user=self.staff_a)
        other = make_officer(self.agency_a, "R-2")
        with self.assertRaises(ValidationError) as caught:
            roster_services.officer_update(actor=self.admin_a, officer=other, data={"user": self.staff_a})
        self.assertEqual(caught.exception.message_dict["user"], [roster_services.ACCOUNT_TAKEN])

    def test_an_account_or_rank_of_another_agency_is_refused(self):
        officer = make_officer(self.agency_a, "R-1")
        with self.assertRaises(ValidationError) as caught:
            roster_services.officer_update(actor=self.admin_a, officer=officer, data={"user": self.staff_b})
        self.assertIn("user", caught.exception.message_dict)
        officer.refresh_from_db()
        rank_b = Rank.objects.create(agency=self.agency_b, name="Deputy", seniority=10)
        with self.assertRaises(ValidationError) as caught:
            roster_services.officer_update(actor=self.admin_a, officer=officer, data={"rank": rank_b})
        self.assertIn("rank", caught.exception.message_dict)
