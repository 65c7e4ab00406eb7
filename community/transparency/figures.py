"""The raw figures of the public transparency page: one agency, one period, a fixed number of queries.

``transparency_sections`` answers every section of ``community.transparency.sections.SECTIONS`` with
**raw** counts (``CountTable``s and ``Fact``s); ``community.transparency.suppression.published_sections``
then applies the small-count rule before anything is shown. Each figure reuses the project's one
answer to its question (never a second definition):

* agreements in force: ``incidents.detainers.scope.agreements_in_force``;
* officers: ``training.roster.selectors.roster_page_status_counts`` (the stored training facts and the
  one authorization rule, ``authorized_today_case``) — **as of today**, whatever the period;
* detainers received in the period (``received_at`` in the agency-local period): by offense level
  (``incidents.detainers.choices.OffenseLevel``) and outcome; held past the 48-hour deadline
  (``incidents.detainers.selectors.held_past_deadline_q``, the twin of ``check_hold_deadline``);
  U.S.-citizenship claims (``incidents.citizenship.services.claim_recorded_q``); consular
  notifications owed, made on time or late (``incidents.consular.services.notify_duty_q``,
  ``notified_on_time_q``: before the 72-hour finding time of ``consular_status``);
* complaints (cases from the public, ``Incident.Source.PUBLIC``) received in the period, referred to
  ICE OPR, with a sustained allegation; those closed in the period and their median time to close
  (``incidents.referrals.deadlines.with_time_to_close``), published only from ``threshold`` closed
  cases on;
* outreach events held in the period, by kind; steering-committee meetings held in it; the date (only
  the date: a public meeting) of the next scheduled meeting.

Eight queries (seven when the threshold is given) whatever the number of detainers, cases or events
(``FIGURES_QUERY_COUNT``; tested at two sizes): one pass over the period's detainers, grouped by level and
outcome; the median's query reads the durations of the cases closed in the period.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.outreach.models import OutreachEvent
from community.steering_committee.models import CommitteeMeeting
from community.transparency.models import DEFAULT_SUPPRESSION_THRESHOLD, TransparencySettings
from community.transparency.periods import Period, period_bounds
from community.transparency.sections import SECTION_KEYS, section_title
from community.transparency.tables import CountTable, Fact, Section
from compliance.core.models import AgreementModel
from incidents.citizenship.models import CitizenshipResolution
from incidents.citizenship.services import claim_recorded_q
from incidents.consular.services import notified_late_q, notified_on_time_q, notify_duty_q
from incidents.detainers.choices import OffenseLevel
from incidents.detainers.models import Detainer
from incidents.detainers.scope import agreements_in_force
from incidents.detainers.selectors import held_past_deadline_q
from incidents.incident_log.models import Allegation, Incident
from incidents.referrals.deadlines import with_time_to_close
from incidents.referrals.models import Referral
from training.roster.selectors import roster_page_status_counts

#: The most queries ``transparency_sections`` makes (one more when some officer's stored facts are missing).
FIGURES_QUERY_COUNT = 8

#: The public names of the agreement models (translatable; ``AgreementModel``'s labels are staff-side).
MODEL_LABELS = {
    AgreementModel.JEM: _("Jail Enforcement Model"),
    AgreementModel.WSO: _("Warrant Service Officer model"),
    AgreementModel.TFM: _("Task Force Model"),
}

#: Detainer outcomes in column order, with their public labels.
OUTCOMES = (
    (Detainer.Outcome.PENDING, _("Pending")),
    (Detainer.Outcome.TRANSFERRED, _("Transferred to ICE")),
    (Detainer.Outcome.RELEASED, _("Released")),
    (Detainer.Outcome.LIFTED, _("Lifted or declined")),
)

#: Offense levels in row order (``None``: not recorded), with their public labels.
LEVELS = (
    (OffenseLevel.LEVEL_1.value, _("Level 1: major drug or violent offense")),
    (OffenseLevel.LEVEL_2.value, _("Level 2: minor drug or property offense")),
    (OffenseLevel.LEVEL_3.value, _("Level 3: other offenses (e.g. traffic)")),
    (None, _("Level not recorded")),
)

OUTREACH_KINDS = (
    (OutreachEvent.Kind.COMMUNITY_MEETING, _("Community meetings")),
    (OutreachEvent.Kind.PRESENTATION, _("Presentations")),
    (OutreachEvent.Kind.CONSULATE_MEETING, _("Meetings with consulates")),
    (OutreachEvent.Kind.MEDIA, _("Media briefings")),
    (OutreachEvent.Kind.OTHER, _("Other events")),
)


def transparency_sections(
    *, agency, period: Period, now: datetime | None = None, threshold: int | None = None
) -> list[Section]:
    """Every section of the transparency page for ``agency`` and ``period``, with raw (unsuppressed) counts.

    Args:
        agency: a ``compliance.Agency`` (public figures: no user scope; the caller publishes only what the
            agency's ``TransparencySettings`` allows).
        period: the quarter or year (``community.transparency.periods``), on the agency's clock.
        now: aware instant the figures are read at (default now): "held past the deadline" of a detainer
            still held, the next meeting, the officers' "today".
        threshold: the suppression threshold (default: the agency's setting, else 10); a median time to
            close is given only from that many closed cases on.

    Returns:
        One ``Section`` per ``SECTIONS`` key, in page order, with ``CountTable``s and ``Fact``s of raw
        counts; pass them through ``community.transparency.suppression.published_sections`` before
        showing anything. At most ``FIGURES_QUERY_COUNT`` queries.
    """
    now = now or timezone.now()
    if threshold is None:
        threshold = (
            TransparencySettings.objects.filter(agency=agency).values_list("suppression_threshold", flat=True).first()
            or DEFAULT_SUPPRESSION_THRESHOLD
        )
    start, end = period_bounds(period, agency.zone)
    builders = {
        "agreements": lambda: _agreements(agency, now),
        "officers": lambda: _officers(agency, now),
        "detainers": lambda: _detainers(agency, start, end, now),
        "complaints": lambda: _complaints(agency, start, end, threshold),
        "outreach": lambda: _outreach(agency, period, start, end, now),
    }
    return [builders[key]() for key in SECTION_KEYS]


def _agreements(agency, now: datetime) -> Section:
    facts = tuple(
        Fact(
            key=f"agreement_{agreement.model.lower()}_{index}",
            label=MODEL_LABELS.get(agreement.model, agreement.model),
            value=agreement.signed_on,
            kind="date" if agreement.signed_on else "text",
        )
        for index, agreement in enumerate(agreements_in_force(agency=agency, at=now), start=1)
    )
    if not facts:
        facts = (Fact("agreements_none", _("Agreements in force"), _("None"), "text"),)
    return Section(
        "agreements",
        section_title("agreements"),
        facts=facts,
        note=_("Each 287(g) agreement in force today, its model and the date it was signed."),
    )


def _officers(agency, now: datetime) -> Section:
    today = timezone.localdate(now, timezone=agency.zone)
    counts = roster_page_status_counts(agency=agency, today=today)
    table = CountTable(
        key="officers",
        title=_("Officers designated under the agreement"),
        row_header=_("Status"),
        rows=(_("Designated"), _("With current 287(g) training"), _("Authorized to act today")),
        columns=(_("Number of officers"),),
        cells=((counts["designated"],), (counts["current"] + counts["expiring"],), (counts["authorized"],)),
    )
    return Section(
        "officers",
        section_title("officers"),
        tables=(table,),
        note=_("Counted as of today, whatever the period chosen. Counts only: no officer is named."),
    )


def _detainers(agency, start: datetime, end: datetime, now: datetime) -> Section:
    received = Detainer.objects.filter(agency=agency, received_at__gte=start, received_at__lt=end).order_by()
    # One pass over the period's detainers: grouped by level and outcome, each group's other counts beside it.
    rows = list(
        received.values("offense_level", "outcome").annotate(
            n=Count("pk"),
            held_past=Count("pk", filter=held_past_deadline_q(now)),
            claims=Count("pk", filter=claim_recorded_q()),
            citizens=Count(
                "pk",
                filter=claim_recorded_q() & Q(citizenship_resolution=CitizenshipResolution.CITIZEN_CONFIRMED),
            ),
            duty=Count("pk", filter=notify_duty_q()),
            on_time=Count("pk", filter=notify_duty_q() & notified_on_time_q()),
            late=Count("pk", filter=notify_duty_q() & notified_late_q()),
        )
    )
    grid = {(row["offense_level"], row["outcome"]): row["n"] for row in rows}
    counts = {
        name: sum(row[name] for row in rows) for name in ("held_past", "claims", "citizens", "duty", "on_time", "late")
    }
    by_level = CountTable(
        key="detainers_by_level_and_outcome",
        title=_("Detainers received, by offense level and outcome"),
        row_header=_("Offense level"),
        rows=tuple(label for _level, label in LEVELS),
        columns=tuple(label for _outcome, label in OUTCOMES),
        cells=tuple(tuple(grid.get((level, outcome), 0) for outcome, _label in OUTCOMES) for level, _label in LEVELS),
        row_totals=True,
        column_totals=True,
    )
    consular = CountTable(
        key="consular_notifications",
        title=_("Consular notifications owed"),
        row_header=_("Notification"),
        rows=(_("Made within 72 hours"), _("Made after 72 hours"), _("Not recorded as made")),
        columns=(_("Detainers"),),
        cells=(
            (counts["on_time"],),
            (counts["late"],),
            (counts["duty"] - counts["on_time"] - counts["late"],),
        ),
        column_totals=True,
        chart="pie",
    )
    facts = (
        Fact("detainers_held_past_48_hours", _("Held past the 48-hour limit"), counts["held_past"], "count"),
        Fact("detainers_citizenship_claims", _("U.S.-citizenship claims recorded"), counts["claims"], "count"),
        Fact("detainers_citizens_confirmed", _("U.S. citizenship confirmed"), counts["citizens"], "count"),
    )
    return Section(
        "detainers",
        section_title("detainers"),
        tables=(by_level, consular),
        facts=facts,
        note=_(
            "Detainers received in the period. A hold past the limit: custody ended more than 48 hours after the "
            "person would otherwise have been released, or the person is still held past it. Consular "
            "notification is owed for nationals of mandatory-notification countries and when the person asks."
        ),
    )


def _complaints(agency, start: datetime, end: datetime, threshold: int) -> Section:
    public = Incident.objects.filter(agency=agency, source=Incident.Source.PUBLIC).order_by()
    counts = public.filter(received_at__gte=start, received_at__lt=end).aggregate(
        received=Count("pk"),
        referred=Count(
            "pk",
            filter=Q(Exists(Referral.objects.filter(incident=OuterRef("pk"), recipient=Referral.Recipient.ICE_OPR))),
        ),
        sustained=Count(
            "pk",
            filter=Q(
                Exists(Allegation.objects.filter(incident=OuterRef("pk"), disposition=Allegation.Disposition.SUSTAINED))
            ),
        ),
    )
    durations = sorted(
        with_time_to_close(
            public.filter(status=Incident.Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        ).values_list("time_to_close", flat=True)
    )
    closed = len(durations)
    table = CountTable(
        key="complaints",
        title=_("Complaints from the public"),
        row_header=_("Complaints"),
        rows=(
            _("Received"),
            _("Referred to ICE OPR / the Joint Intake Center"),
            _("With a sustained allegation"),
            _("Closed in the period"),
        ),
        columns=(_("Complaints"),),
        cells=((counts["received"],), (counts["referred"],), (counts["sustained"],), (closed,)),
    )
    median = median_days(durations) if closed >= threshold else None
    fact = Fact(
        "complaints_median_days_to_close",
        _("Median days from receipt to closing"),
        median,
        "days",
        suppressed=median is None and closed > 0,
    )
    return Section(
        "complaints",
        section_title("complaints"),
        tables=(table,),
        facts=(fact,),
        note=_(
            "Complaints received in the period, and what became of them so far; the median time to close counts "
            "the complaints closed in the period, and is given only when enough were closed."
        ),
    )


def median_days(durations) -> int:
    """The median of ``durations`` (``timedelta``s, sorted, at least one) in whole days, rounded half up."""
    count = len(durations)
    middle = durations[count // 2] if count % 2 else (durations[count // 2 - 1] + durations[count // 2]) / 2
    return int(middle.total_seconds() / 86400 + 0.5)


def _outreach(agency, period: Period, start: datetime, end: datetime, now: datetime) -> Section:
    by_kind = dict(
        OutreachEvent.objects.filter(agency=agency, held_on__gte=period.first_day, held_on__lte=period.last_day)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    meetings = (
        CommitteeMeeting.objects.filter(agency=agency)
        .order_by()
        .aggregate(
            held=Count(
                "pk",
                filter=Q(status=CommitteeMeeting.Status.HELD, starts_at__gte=start, starts_at__lt=end),
            ),
            next_at=Min("starts_at", filter=Q(status=CommitteeMeeting.Status.SCHEDULED, starts_at__gte=now)),
        )
    )
    events = CountTable(
        key="outreach_events",
        title=_("Outreach events held, by kind"),
        row_header=_("Kind"),
        rows=tuple(label for _kind, label in OUTREACH_KINDS),
        columns=(_("Events"),),
        cells=tuple((by_kind.get(kind, 0),) for kind, _label in OUTREACH_KINDS),
        column_totals=True,
        counts_people=False,
    )
    next_at = meetings["next_at"]
    facts = (
        Fact(
            "committee_meetings_held",
            _("Steering-committee meetings held"),
            meetings["held"],
            "count",
            counts_people=False,
        ),
        Fact(
            "committee_next_meeting",
            _("Next steering-committee meeting"),
            timezone.localdate(next_at, timezone=agency.zone) if next_at else _("Not scheduled"),
            "date" if next_at else "text",
        ),
    )
    return Section(
        "outreach",
        section_title("outreach"),
        tables=(events,),
        facts=facts,
        note=_("Events and meetings held in the period; the next meeting is the next one scheduled from today."),
    )
