"""Evidence from the community records: steering-committee meetings held, outreach events held (R3.6).

* ``steering_committee``: the agreement's committee settings (``community.steering_committee``:
  ``CommitteeRequirement``). Not required → met, saying so. The committee past its interval without a
  meeting on ``period.end`` (``selectors.is_missed``, the rule the committee sweep opens its finding by)
  → not met; fewer meetings held in the period than required (``rules.meetings_required`` over the
  period cut to the agreement's dates, the outreach report's count) → at risk; the next meeting due
  within ``warning_days`` days and none scheduled → at risk; else met.
* ``outreach_events``: outreach events held in the period (by their agency-local day): at least
  ``events_per_period`` → met; some but fewer → at risk; none → not met.

Meetings and events count as recorded at ``period.as_of`` (their history rows before it).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from community.outreach.models import OutreachEvent
from community.steering_committee import rules, selectors
from community.steering_committee.models import CommitteeMeeting, CommitteeRequirement
from compliance.core.models import AgreementRequirement, Finding
from compliance.moa.evaluators_records import period_bounds, records_at
from compliance.moa.evidence import Evaluator, Evidence, EvidenceItem, Figure, Period, Status, register


def _committee(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.6: the steering committee met as often as the agreement's committee settings require."""
    agreement = requirement.agreement
    kinds = (Finding.Kind.COMMITTEE_MEETING_MISSED,)
    setting = CommitteeRequirement.objects.filter(agreement=agreement).first()
    if setting is None or not setting.required:
        reason = (
            "No committee settings are recorded for this agreement: record them on the committee page."
            if setting is None
            else "The agreement's committee settings say no committee is required."
        )
        status = Status.AT_RISK if setting is None else Status.MET
        return Evidence(status, reason, (Figure("Committee required", "not recorded" if setting is None else "no"),))
    agency = requirement.agency
    start, end = period_bounds(requirement, period)
    meetings = records_at(
        CommitteeMeeting,
        at=period.as_of,
        filters=Q(agency_id=agency.pk, starts_at__lt=end),
        fields=("starts_at", "status"),
    )
    held_days = sorted(
        selectors.local_day(agency, row["starts_at"])
        for row in meetings
        if row["status"] == CommitteeMeeting.Status.HELD
    )
    in_period = [day for day in held_days if period.start <= day <= period.end]
    first = max(period.start, agreement.signed_on or period.start)
    last = min(period.end, agreement.expires_on or period.end)
    required = (
        rules.meetings_required(start=first, end=last, interval_months=setting.meeting_interval_months)
        if last >= first
        else 0
    )
    last_held = held_days[-1] if held_days else None
    history_first = setting.history.order_by("history_date").values_list("history_date", flat=True).first()
    setting.recorded_on = selectors.local_day(agency, history_first) if history_first else period.end
    due = selectors.next_due(setting, last_held)
    scheduled = any(
        row["status"] == CommitteeMeeting.Status.SCHEDULED and row["starts_at"] >= period.as_of for row in meetings
    )
    figures = (
        Figure("Meetings required in the period", str(required)),
        Figure("Meetings held in the period", str(len(in_period))),
        Figure("Every", f"{setting.meeting_interval_months} months"),
        Figure("Last held", last_held.isoformat() if last_held else "never"),
        Figure("Next due by", due.isoformat()),
    )
    items = tuple(EvidenceItem(label="Meeting held", on=day) for day in in_period)
    if selectors.is_missed(setting, last_held, period.end):
        return Evidence(
            Status.NOT_MET, f"The committee has not met since {due.isoformat()} was due.", figures, items, kinds
        )
    if len(in_period) < required:
        return Evidence(
            Status.AT_RISK,
            f"{len(in_period)} of {required} required meetings held in the period.",
            figures,
            items,
            kinds,
        )
    warning = int(requirement.parameters.get("warning_days", 30))
    if (due - period.end).days <= warning and not scheduled:
        return Evidence(
            Status.AT_RISK,
            f"The next meeting is due by {due.isoformat()} and none is scheduled.",
            figures,
            items,
            kinds,
        )
    return Evidence(Status.MET, f"{len(in_period)} of {required} required meetings held.", figures, items, kinds)


STEERING_COMMITTEE = register(
    Evaluator(
        "steering_committee",
        "Steering-committee meetings held against the agreement's frequency",
        _committee,
        defaults={"warning_days": 30},
        finding_kinds=(Finding.Kind.COMMITTEE_MEETING_MISSED,),
    )
)


def _outreach(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.6: at least ``events_per_period`` outreach events held in the period."""
    wanted = int(requirement.parameters.get("events_per_period", 1))
    events = records_at(
        OutreachEvent,
        at=period.as_of,
        filters=Q(agency_id=requirement.agency_id, held_on__gte=period.start, held_on__lte=period.end),
        fields=("held_on", "title", "kind"),
    )
    events = [row for row in events if row["held_on"] <= timezone.localdate(period.as_of, requirement.agency.zone)]
    events.sort(key=lambda row: (row["held_on"], row["id"]))
    figures = (Figure("Events held in the period", str(len(events))), Figure("Required", str(wanted)))
    items = tuple(EvidenceItem(label=row["title"], on=row["held_on"]) for row in events[:25])
    if len(events) >= wanted:
        return Evidence(
            Status.MET, f"{len(events)} outreach event{'s' if len(events) != 1 else ''} held.", figures, items
        )
    if events:
        return Evidence(Status.AT_RISK, f"{len(events)} of {wanted} outreach events held.", figures, items)
    return Evidence(Status.NOT_MET, "No outreach event was held in the period.", figures)


OUTREACH_EVENTS = register(
    Evaluator(
        "outreach_events", "Outreach events held (the outreach log)", _outreach, defaults={"events_per_period": 1}
    )
)
