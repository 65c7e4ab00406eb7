"""The old free-text follow-ups and "steering committee" events carried into the new records (migration 0004)."""

from datetime import UTC, date, datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

BEFORE = [("community", "0003_outreach_people_commitments_committee_transparency")]
AFTER = [("community", "0004_follow_ups_to_commitments_and_meetings")]


class FollowUpMigrationTests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def test_follow_ups_become_commitments_and_committee_events_become_meetings(self):
        apps = self.migrate(BEFORE)
        Agency = apps.get_model("compliance", "Agency")
        OutreachEvent = apps.get_model("community", "OutreachEvent")
        agency = Agency.objects.create(name="Invented County", state="TX", time_zone="America/Chicago")
        OutreachEvent.objects.create(
            agency=agency,
            kind="community_meeting",
            title="Town hall",
            held_on=date(2026, 5, 20),
            follow_up="Publish the figures.",
            follow_up_due_on=date(2026, 6, 15),
        )
        OutreachEvent.objects.create(
            agency=agency, kind="presentation", title="No promise", held_on=date(2026, 5, 21), follow_up="  "
        )
        OutreachEvent.objects.create(
            agency=agency,
            kind="steering_committee",
            title="Committee, second quarter",
            held_on=date(2026, 5, 28),
            attendance=11,
            summary="Minutes: reviewed the detainer figures.",
            follow_up="Send the minutes to the board.",
        )

        apps = self.migrate(AFTER)
        OutreachEvent = apps.get_model("community", "OutreachEvent")
        Commitment = apps.get_model("community", "Commitment")
        CommitteeMeeting = apps.get_model("community", "CommitteeMeeting")

        self.assertEqual(sorted(OutreachEvent.objects.values_list("title", flat=True)), ["No promise", "Town hall"])
        meeting = CommitteeMeeting.objects.get()
        self.assertEqual(
            (meeting.status, meeting.starts_at, meeting.public_attendance, meeting.minutes),
            ("held", datetime(2026, 5, 28, 17, 0, tzinfo=UTC), 11, "Minutes: reviewed the detainer figures."),
        )
        by_text = {c.description: c for c in Commitment.objects.all()}
        self.assertEqual(set(by_text), {"Publish the figures.", "Send the minutes to the board."})
        town_hall = by_text["Publish the figures."]
        self.assertEqual(
            (town_hall.event.title, town_hall.meeting, town_hall.due_on), ("Town hall", None, date(2026, 6, 15))
        )
        minutes = by_text["Send the minutes to the board."]
        self.assertEqual((minutes.event, minutes.meeting_id, minutes.due_on), (None, meeting.pk, date(2026, 6, 27)))
        self.assertEqual({c.status for c in by_text.values()}, {"open"})
        self.assertEqual({c.owner_id for c in by_text.values()}, {None})
