"""Carry the old outreach data into the new records, losing nothing.

- An event's free-text follow-up becomes a ``Commitment`` (status open, no owner yet: the page asks
  for one), due on its old due date, or 30 days after the event when none was given.
- An event of the old kind "steering committee" becomes a held ``CommitteeMeeting`` at noon on its
  day in the agency's zone: its summary is the minutes, its attendance the public attendance, and
  its follow-up an action item of the meeting. The event row itself is then removed (its history
  rows stay).
"""

import datetime
import zoneinfo

from django.db import migrations

FOLLOW_UP_DEFAULT_DAYS = 30


def forward(apps, schema_editor):
    OutreachEvent = apps.get_model("community", "OutreachEvent")
    Commitment = apps.get_model("community", "Commitment")
    CommitteeMeeting = apps.get_model("community", "CommitteeMeeting")
    for event in OutreachEvent.objects.select_related("agency").order_by("pk"):
        meeting = None
        if event.kind == "steering_committee":
            zone = zoneinfo.ZoneInfo(event.agency.time_zone)
            noon = datetime.datetime.combine(event.held_on, datetime.time(12, 0), tzinfo=zone)
            meeting = CommitteeMeeting.objects.create(
                agency_id=event.agency_id,
                starts_at=noon.astimezone(datetime.UTC),
                location=event.location,
                agenda=event.title,
                status="held",
                public_attendance=event.attendance,
                minutes=event.summary,
            )
        if event.follow_up.strip():
            Commitment.objects.create(
                agency_id=event.agency_id,
                event=None if meeting else event,
                meeting=meeting,
                description=event.follow_up,
                due_on=event.follow_up_due_on or event.held_on + datetime.timedelta(days=FOLLOW_UP_DEFAULT_DAYS),
            )
        if meeting is not None:
            event.delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0003_outreach_people_commitments_committee_transparency")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
