"""How each requirement is met: the evidence evaluators and what they answer (issue #15 item 1).

An evaluator reads what the product already holds for one requirement over one period and
answers an ``Evidence``: met / at risk / not met, the reason in a sentence, the figures and
lists that show it, and the finding kinds that count against the requirement. Evaluators are
registered in ``EVALUATORS`` by key (``AgreementRequirement.evidence``); ``requirement_evidence``
is the one entry point, used by the checklist page, the nightly status check and the
inspection-readiness report alike.

Attached documents (``RequirementDocument``) are evidence for every requirement; for the
``document`` evaluator they are the only evidence.

Dates are agency-local dates; ``Period.as_of`` is the aware instant the answer is given at
(now for the checklist, the report's instant for a report), and nothing recorded after it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from compliance.core.models import AgreementRequirement, RequirementDocument, RequirementStatus

Status = RequirementStatus

#: A document that stops being valid within this many days puts its requirement at risk.
DOCUMENT_RENEWAL_DAYS = 30
#: An agreement that expires within this many days is at risk (R3.9: renewal alerts).
AGREEMENT_RENEWAL_DAYS = 90


@dataclass(frozen=True)
class Period:
    """The days asked about: ``start`` to ``end`` inclusive (agency-local dates), answered at ``as_of`` (aware)."""

    start: date
    end: date
    as_of: datetime


@dataclass(frozen=True)
class Figure:
    """One figure shown as evidence: a label and its value as text ("12 of 12", "96 %")."""

    label: str
    value: str


@dataclass(frozen=True)
class EvidenceItem:
    """One line of a list shown as evidence (a meeting held, an officer not current, a document).

    ``link`` is a path in the app (no personal data in it); ``on`` the item's date if it has one.
    """

    label: str
    detail: str = ""
    link: str = ""
    on: date | None = None


@dataclass(frozen=True)
class Evidence:
    """An evaluator's answer for one requirement and period."""

    status: str
    reason: str
    figures: tuple[Figure, ...] = ()
    items: tuple[EvidenceItem, ...] = ()
    #: ``Finding.Kind`` values that count against this requirement (the report lists them, with what was done).
    finding_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluator:
    """A registered evaluator: its label (shown as "how it is met"), the function, its default parameters."""

    key: str
    label: str
    evaluate: Callable[[AgreementRequirement, Period], Evidence]
    defaults: dict = field(default_factory=dict)
    finding_kinds: tuple[str, ...] = ()


EVALUATORS: dict[str, Evaluator] = {}


def register(evaluator: Evaluator) -> Evaluator:
    """Add ``evaluator`` to ``EVALUATORS`` (a key registered twice is a programming error: ValueError)."""
    if evaluator.key in EVALUATORS:
        raise ValueError(f"evaluator {evaluator.key!r} registered twice")
    EVALUATORS[evaluator.key] = evaluator
    return evaluator


def documents_valid(requirement: AgreementRequirement, period: Period) -> list[RequirementDocument]:
    """The requirement's documents not withdrawn and valid on ``period.end``, uploaded by ``period.as_of``."""
    documents = requirement.documents.filter(created_at__lte=period.as_of).exclude(withdrawn_at__lte=period.as_of)
    return [
        document
        for document in documents.order_by("-created_at", "-id")
        if (document.valid_from is None or document.valid_from <= period.end)
        and (document.valid_until is None or document.valid_until >= period.end)
    ]


def document_items(documents: list[RequirementDocument]) -> tuple[EvidenceItem, ...]:
    """The documents as evidence lines: title, validity, uploaded on."""
    items = []
    for document in documents:
        until = f"valid until {document.valid_until.isoformat()}" if document.valid_until else "no end date"
        items.append(EvidenceItem(label=document.title, detail=until, on=document.created_at.date()))
    return tuple(items)


def _documents(requirement: AgreementRequirement, period: Period) -> Evidence:
    """Met by a valid attached document; at risk when the last one lapses within ``DOCUMENT_RENEWAL_DAYS``."""
    documents = documents_valid(requirement, period)
    if not documents:
        return Evidence(Status.NOT_MET, "No valid document is attached.")
    items = document_items(documents)
    open_ended = [d for d in documents if d.valid_until is None]
    latest_end = None if open_ended else max(d.valid_until for d in documents)
    if latest_end is not None and latest_end - period.end <= timedelta(days=DOCUMENT_RENEWAL_DAYS):
        return Evidence(
            Status.AT_RISK, f"The attached document is valid only until {latest_end.isoformat()}.", items=items
        )
    count = len(documents)
    return Evidence(Status.MET, f"{count} valid document{'s' if count != 1 else ''} attached.", items=items)


DOCUMENT = register(Evaluator("document", "Documents attached by a person", _documents))


def _agreement_term(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.9: the agreement in force on ``period.end``; at risk within ``AGREEMENT_RENEWAL_DAYS`` of expiring."""
    agreement = requirement.agreement
    figures = [
        Figure("Signed", agreement.signed_on.isoformat() if agreement.signed_on else "not recorded"),
        Figure("Expires", agreement.expires_on.isoformat() if agreement.expires_on else "runs until terminated"),
        Figure("Status", agreement.get_status_display()),
    ]
    figures = tuple(figures)
    if agreement.status in (agreement.Status.TERMINATED, agreement.Status.EXPIRED):
        return Evidence(Status.NOT_MET, f"The agreement is {agreement.get_status_display().lower()}.", figures)
    if agreement.signed_on is None or agreement.signed_on > period.end:
        return Evidence(Status.NOT_MET, "The agreement is not signed yet.", figures)
    if agreement.expires_on is not None and agreement.expires_on < period.end:
        return Evidence(Status.NOT_MET, f"The agreement expired on {agreement.expires_on.isoformat()}.", figures)
    if agreement.expires_on is not None and (agreement.expires_on - period.end).days <= AGREEMENT_RENEWAL_DAYS:
        return Evidence(
            Status.AT_RISK,
            f"The agreement expires on {agreement.expires_on.isoformat()}: start the renewal (R3.9).",
            figures,
        )
    return Evidence(Status.MET, "The agreement is signed and in force.", figures)


AGREEMENT_TERM = register(Evaluator("agreement_term", "The agreement's signed and expiry dates", _agreement_term))


def requirement_evidence(requirement: AgreementRequirement, *, period: Period) -> Evidence:
    """The evidence for ``requirement`` over ``period``: its evaluator's answer, with the attached documents added.

    Args:
        requirement: the requirement (``agreement`` and ``agency`` loaded or loadable).
        period: agency-local dates and the aware instant of the answer.

    Returns:
        ``Evidence``; an unknown evaluator key answers ``unknown`` with a reason, never an error.
    """
    evaluator = EVALUATORS.get(requirement.evidence)
    if evaluator is None:
        return Evidence(Status.UNKNOWN, f"No evidence is linked ('{requirement.evidence}' is not an evaluator).")
    evidence = evaluator.evaluate(requirement, period)
    if evaluator is not DOCUMENT:
        documents = documents_valid(requirement, period)
        if documents:
            evidence = Evidence(
                evidence.status,
                evidence.reason,
                evidence.figures,
                evidence.items + document_items(documents),
                evidence.finding_kinds,
            )
    if not evidence.finding_kinds and evaluator.finding_kinds:
        evidence = Evidence(
            evidence.status, evidence.reason, evidence.figures, evidence.items, tuple(evaluator.finding_kinds)
        )
    return evidence
