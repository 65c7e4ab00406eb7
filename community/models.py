"""The community app's models, one topic package each; this module only re-exports them for Django."""

from community.commitments.models import Commitment, CommitmentReminder
from community.organisations.models import Contact, Organisation
from community.outreach.models import EventMaterial, EventParticipant, OutreachEvent
from community.steering_committee.models import (
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    MeetingAttendance,
    MinutesReminder,
)
from community.transparency.models import TransparencySettings

__all__ = [
    "Commitment",
    "CommitmentReminder",
    "CommitteeDecision",
    "CommitteeMeeting",
    "CommitteeMember",
    "CommitteeRequirement",
    "Contact",
    "EventMaterial",
    "EventParticipant",
    "MeetingAttendance",
    "MinutesReminder",
    "Organisation",
    "OutreachEvent",
    "TransparencySettings",
]
