"""The detainer log as auditors take it away: rows for the CSV/XLSX export and the PDF report.

Reads only. The caller passes the agencies it already checked through
``compliance.core.access`` (``export_reports``); nothing here widens that scope.
Each batch of ``BATCH_SIZE`` detainers costs a fixed number of queries — the
batched legal checks (``incidents.detainers.checks.checks_for_page``: five per distinct
agreement in the batch, plus other topics' batched reads), one for the open findings and, for
the report, one for the linked incidents' narratives — so a log of any size is
read in constant memory and a query count that grows with batches, never rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from compliance.core.findings import OPEN_STATUSES
from compliance.core.local_days import local_day_start
from compliance.core.models import Finding
from incidents.detainers import checks
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident

#: Detainers read (and checked) per batch: one server-side cursor chunk.
BATCH_SIZE = 2000

#: Release against the hold deadline (``LogEntry.release``).
RELEASE_ON_TIME = "on_time"
RELEASE_LATE = "late"
HELD_PAST_DEADLINE = "held_past_deadline"
RELEASE_LABELS = {
    RELEASE_ON_TIME: "By the deadline",
    RELEASE_LATE: "After the deadline",
    HELD_PAST_DEADLINE: "Still held past the deadline",
}


def detainer_log_queryset(
    *, agencies: Iterable, received_from: date | None = None, received_to: date | None = None, outcome: str = ""
) -> QuerySet[Detainer]:
    """Detainers of ``agencies`` received in a period, by agency then oldest received first.

    Args:
        agencies: ``compliance.Agency`` rows the caller checked the user may export.
        received_from, received_to: agency-local dates (not datetimes), both
            inclusive, on ``received_at``; each agency's days run from its own
            local midnight (America/Phoenix and America/Chicago differ).
        outcome: a ``Detainer.Outcome`` value, or "" for every outcome.

    Returns:
        A lazy queryset with agency, agreement and the handling officer's agency
        joined (what the checks read), so iterating it costs no query per row.
    """
    period = Q()
    for agency in agencies:
        own = Q(agency=agency)
        if received_from:
            own &= Q(received_at__gte=local_day_start(received_from, agency.zone))
        if received_to:
            own &= Q(received_at__lt=local_day_start(received_to + timedelta(days=1), agency.zone))
        period |= own
    if not period:
        return Detainer.objects.none()
    queryset = Detainer.objects.filter(period)
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    return queryset.select_related("agency", "agreement", "handling_officer__agency").order_by(
        "agency__state", "agency__name", "received_at", "pk"
    )


@dataclass
class LogEntry:
    """One detainer with what the log shows about it at ``at``.

    Attributes:
        detainer: the row (agency, agreement, handling officer joined).
        checks: every registered check (``incidents.detainers.checks.detainer_checks``) at ``at``.
        open_findings: findings about it that are open or acknowledged — now (the export), or as they stood at
            ``findings_at`` (the report: its ``checked_at``; ``detainer_log_entries``).
        notes: the long texts recorded about it (report only; empty for the export).
        release: ``RELEASE_ON_TIME``, ``RELEASE_LATE``, ``HELD_PAST_DEADLINE`` or "" (no deadline
            known, or still held before it).
    """

    detainer: Detainer
    checks: list[checks.Check]
    open_findings: int
    notes: list[str] = field(default_factory=list)
    release: str = ""

    @property
    def notification_only(self) -> bool:
        """The form never authorizes a hold (the I-247N, R4.1: ``checks.form_authorizes_hold``)."""
        return not checks.form_authorizes_hold(self.detainer.form)

    @property
    def hold_authorized(self) -> bool:
        """``incidents.detainers.checks.hold_authorized``: no check that blocks a hold has failed, on a form that
        can authorize one (never on an I-247N, R4.1)."""
        return not self.notification_only and not self.blocking_failures

    @property
    def blocking_failures(self) -> list[checks.Check]:
        return [check for check in self.checks if check.failed and check.blocks_hold]

    @property
    def release_label(self) -> str:
        return RELEASE_LABELS.get(self.release, "")


def release_against_deadline(detainer: Detainer, *, at: datetime) -> str:
    """Did custody end by the hold deadline (R4.7–R4.8)? One of the ``RELEASE_*`` keys, or "".

    ``RELEASE_LATE`` when the outcome came after ``hold_deadline``;
    ``HELD_PAST_DEADLINE`` when no outcome is recorded and ``at`` is past it;
    "" when the release time (so the deadline) is not known, or the hold is
    still within it at ``at``.
    """
    deadline = detainer.hold_deadline
    if deadline is None:
        return ""
    if detainer.outcome != Detainer.Outcome.PENDING and detainer.outcome_at is not None:
        return RELEASE_LATE if detainer.outcome_at > deadline else RELEASE_ON_TIME
    return HELD_PAST_DEADLINE if at > deadline else ""


def detainer_log_entries(
    queryset: QuerySet[Detainer], *, at: datetime, with_notes: bool = False, findings_at: datetime | None = None
) -> Iterator[LogEntry]:
    """``LogEntry`` for each detainer of ``queryset``, in its order, read in batches of ``BATCH_SIZE``.

    Args:
        queryset: from ``detainer_log_queryset`` (its joins are needed).
        at: aware instant the checks are asked at (the export: now; the report:
            the end of its as-of day).
        with_notes: also read the narratives (the report's notes column).
        findings_at: aware instant to count the open findings at (``open_findings_at``); None counts the
            findings open now (their current status).

    Cost per batch: ``checks.checks_for_page`` (five queries per distinct
    agreement, plus other topics' batched reads), one open-findings count, and with ``with_notes`` one query for
    the linked incidents. The checks themselves are the same functions the
    detainer page runs, so the log and the page never disagree. Measured cost
    (SQLite, 5,000 detainers, reading and checking, no file writing): about
    0.35 ms per detainer, so ~6 minutes per million rows — fine for an agency's
    year; a multi-million-row export would belong in a background task.
    """
    rows = queryset.iterator(chunk_size=BATCH_SIZE)
    while batch := list(islice(rows, BATCH_SIZE)):
        yield from _batch_entries(batch, at=at, with_notes=with_notes, findings_at=findings_at)


def _batch_entries(
    batch: list[Detainer], *, at: datetime, with_notes: bool, findings_at: datetime | None = None
) -> list[LogEntry]:
    # The same batched checks the custody board uses (incidents.detainers.checks.checks_for_page).
    found_checks = checks.checks_for_page(batch, at=at)
    findings = _open_findings(batch, at=findings_at)
    notes = _narratives(batch) if with_notes else {}
    entries = []
    for detainer in batch:
        found = found_checks[detainer.pk]
        entries.append(
            LogEntry(
                detainer=detainer,
                checks=found,
                open_findings=findings.get(detainer.pk, 0),
                notes=notes.get(detainer.pk, []),
                release=release_against_deadline(detainer, at=at),
            )
        )
    return entries


def open_findings_at(at: datetime) -> Q:
    """Findings that were open (or acknowledged) at ``at`` (aware): opened by then and not closed by then.

    Reads ``opened_at`` and ``resolved_at`` (set when resolved or marked a false positive). A finding
    closed before ``at`` and reopened after it has no ``resolved_at`` any more, so it counts as open at
    ``at`` — the one case where this errs, on the side of showing it.
    """
    return Q(opened_at__lte=at) & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=at))


def _open_findings(batch: list[Detainer], *, at: datetime | None = None) -> dict[int, int]:
    """Detainer pk → number of its findings open or acknowledged now, or at ``at`` (one query)."""
    state = Q(status__in=OPEN_STATUSES) if at is None else open_findings_at(at)
    counts = (
        Finding.objects.filter(
            state,
            content_type=ContentType.objects.get_for_model(Detainer),
            object_id__in=[detainer.pk for detainer in batch],
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    return {row["object_id"]: row["n"] for row in counts}


def has_narrative() -> Q:
    """Detainers with at least one text ``_narratives`` returns (the report's appendix lists exactly these)."""
    return (
        ~Q(citizenship_claim_details="")
        | ~Q(citizenship_resolution_note="")
        | Exists(Incident.objects.filter(detainer=OuterRef("pk")))
    )


def detainer_narratives(batch: list[Detainer]) -> dict[int, list[str]]:
    """Detainer pk → its narratives, oldest first (``_narratives``; one query), for the report's appendix."""
    return _narratives(batch)


def _narratives(batch: list[Detainer]) -> dict[int, list[str]]:
    """Detainer pk → the long texts recorded about it, oldest first (one query for the incidents).

    The detainer's own texts (what was said or seen about U.S. citizenship and
    how the claim was resolved), then each linked incident or complaint: its
    title with its description and the supervisor's signed-off review narrative.
    """
    found: dict[int, list[str]] = defaultdict(list)
    for detainer in batch:
        if detainer.citizenship_claim_details:
            found[detainer.pk].append(f"U.S.-citizenship claim: {detainer.citizenship_claim_details}")
        if detainer.citizenship_resolution_note:
            found[detainer.pk].append(f"Claim resolved: {detainer.citizenship_resolution_note}")
    incidents = (
        Incident.objects.filter(detainer__in=[detainer.pk for detainer in batch])
        .only("detainer_id", "title", "description", "review_narrative", "occurred_at")
        .order_by("occurred_at", "pk")
    )
    for incident in incidents:
        parts = [incident.title] + ([incident.description] if incident.description else [])
        if incident.review_narrative:
            parts.append(f"Review: {incident.review_narrative}")
        found[incident.detainer_id].append("\n".join(parts))
    return found
