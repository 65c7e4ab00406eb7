"""Evidence from the training roster: nomination checklist, ICE credential, training currency, officer cap.

Each reads the roster of the period's last day as recorded at ``period.as_of``
(``training.roster.as_of.roster_as_of``, basis ``RECORDED``: the same rule as the roster, the
roster report and authorization; nothing recorded after ``as_of`` counts), keeping the officers
designated under the requirement's agreement. A fixed number of queries whatever the roster's size.

Rules (their sources in ``compliance.moa.templates``):

* ``nomination_checklist`` (R2.8): every designated officer's nomination checklist complete → met;
  any not → not met.
* ``ice_credential`` (R2.9): every designated officer's ICE credential id and issue date recorded.
* ``training_currency`` (R2.4, R2.5, R2.7): every designated officer current on every course the
  agreement requires → met; some only "expiring" (within the roster's 90-day window) → at risk;
  any expired or missing → not met. No designated officer: at risk (nobody can act).
* ``officer_cap`` (R1.8): designated officers above ``max_authorized_officers`` → not met; exactly at
  the cap → at risk (none can be added); no cap recorded → met, saying so.
"""

from __future__ import annotations

from django.urls import reverse

from compliance.core.models import AgreementRequirement, Finding
from compliance.moa.evidence import Evaluator, Evidence, EvidenceItem, Figure, Period, Status, register
from training.lifecycle.qualification import checklist_missing, credential_missing
from training.roster import rules
from training.roster.as_of import RECORDED, AsOfRow, roster_as_of

#: How many officers an evidence list names at most (the figures count them all).
LIST_LIMIT = 25


def designated_rows(requirement: AgreementRequirement, period: Period) -> list[AsOfRow]:
    """The roster rows of ``period.end`` (as recorded at ``period.as_of``) of officers under the requirement's
    agreement. Nine or ten queries (``roster_as_of``), whatever the roster's size."""
    roster = roster_as_of(agency=requirement.agency, day=period.end, checked_at=period.as_of, basis=RECORDED)
    return [row for row in roster.rows if row.officer.agreement_id == requirement.agreement_id]


def _officer_item(row: AsOfRow, detail: str) -> EvidenceItem:
    officer = row.officer
    link = reverse("training:officer_detail", kwargs={"public_id": officer.public_id})
    return EvidenceItem(label=f"Badge {officer.badge_number}", detail=detail, link=link)


def _count_figures(rows: list[AsOfRow], good: int, label: str) -> tuple[Figure, ...]:
    return (Figure("Designated officers", str(len(rows))), Figure(label, f"{good} of {len(rows)}"))


def _nomination(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R2.8: every designated officer's nomination checklist is complete."""
    rows = designated_rows(requirement, period)
    missing = [(row, checklist_missing(row.officer)) for row in rows]
    missing = [(row, items) for row, items in missing if items]
    figures = _count_figures(rows, len(rows) - len(missing), "Checklist complete")
    items = tuple(_officer_item(row, "missing: " + ", ".join(labels)) for row, labels in missing[:LIST_LIMIT])
    if missing:
        return Evidence(
            Status.NOT_MET,
            f"{len(missing)} designated officer{'s' if len(missing) != 1 else ''} without a complete nomination "
            "checklist.",
            figures,
            items,
        )
    return Evidence(Status.MET, "Every designated officer's nomination checklist is complete.", figures)


NOMINATION = register(
    Evaluator("nomination_checklist", "The nomination checklist on each designated officer's record", _nomination)
)


def _credential(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R2.9: every designated officer's ICE credential id and issue date are recorded."""
    rows = designated_rows(requirement, period)
    missing = [(row, credential_missing(row.officer)) for row in rows]
    missing = [(row, items) for row, items in missing if items]
    figures = _count_figures(rows, len(rows) - len(missing), "Credential recorded")
    items = tuple(_officer_item(row, "missing: " + ", ".join(labels)) for row, labels in missing[:LIST_LIMIT])
    if missing:
        return Evidence(
            Status.NOT_MET,
            f"{len(missing)} designated officer{'s' if len(missing) != 1 else ''} without an ICE credential recorded.",
            figures,
            items,
        )
    return Evidence(Status.MET, "Every designated officer has an ICE credential recorded.", figures)


CREDENTIAL = register(
    Evaluator("ice_credential", "The ICE credential on each designated officer's record", _credential)
)


def _training(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R2.4, R2.5, R2.7: designated officers current on their required courses on ``period.end``."""
    rows = designated_rows(requirement, period)
    counts = dict.fromkeys(rules.STATUSES_WORST_FIRST, 0)
    for row in rows:
        counts[row.status] += 1
    lapsed = [row for row in rows if row.status in (rules.EXPIRED, rules.MISSING)]
    expiring = [row for row in rows if row.status == rules.EXPIRING]
    figures = (
        Figure("Designated officers", str(len(rows))),
        Figure("Current", f"{counts[rules.CURRENT] + counts[rules.EXPIRING]} of {len(rows)}"),
        Figure("Expiring within 90 days", str(counts[rules.EXPIRING])),
        Figure("Expired or missing a course", str(len(lapsed))),
    )
    items = tuple(_officer_item(row, row.status_label) for row in (lapsed + expiring)[:LIST_LIMIT])
    kinds = (Finding.Kind.CERTIFICATION_EXPIRED, Finding.Kind.OFFICER_NOT_AUTHORIZED)
    if not rows:
        return Evidence(Status.AT_RISK, "No officer is designated under this agreement.", figures, (), kinds)
    if lapsed:
        return Evidence(
            Status.NOT_MET,
            f"{len(lapsed)} designated officer{'s' if len(lapsed) != 1 else ''} not current on a required course.",
            figures,
            items,
            kinds,
        )
    if expiring:
        return Evidence(
            Status.AT_RISK,
            f"{len(expiring)} designated officer{'s' if len(expiring) != 1 else ''} with a course expiring within "
            f"{rules.EXPIRING_WINDOW_DAYS} days.",
            figures,
            items,
            kinds,
        )
    return Evidence(Status.MET, "Every designated officer is current on every required course.", figures, (), kinds)


TRAINING = register(
    Evaluator(
        "training_currency",
        "Training currency of the designated officers (the roster)",
        _training,
        finding_kinds=(Finding.Kind.CERTIFICATION_EXPIRED, Finding.Kind.OFFICER_NOT_AUTHORIZED),
    )
)


def _cap(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R1.8: designated officers against the agreement's ``max_authorized_officers``."""
    rows = designated_rows(requirement, period)
    cap = requirement.agreement.max_authorized_officers
    figures = (
        Figure("Designated officers", str(len(rows))),
        Figure("Cap in the MOA", str(cap) if cap is not None else "not recorded"),
    )
    if cap is None:
        return Evidence(Status.MET, "The agreement records no officer cap.", figures)
    if len(rows) > cap:
        return Evidence(Status.NOT_MET, f"{len(rows)} officers are designated, above the cap of {cap}.", figures)
    if len(rows) == cap:
        return Evidence(Status.AT_RISK, f"The cap of {cap} officers is reached: no officer can be added.", figures)
    return Evidence(Status.MET, f"{len(rows)} of at most {cap} officers are designated.", figures)


OFFICER_CAP = register(Evaluator("officer_cap", "Designated officers against the MOA's officer cap", _cap))
