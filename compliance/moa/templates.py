"""The shipped requirements per agreement model: the MOA's clauses as a checklist (DOMAIN.md §3, R1.6–R1.8, R2.x).

Each ``RequirementTemplate`` is one clause of the standard MOA template family (2009 onward) as
the product reads it: its stable ``key`` (the same on every agreement), the MOA section it comes
from (``Clause``), the title and text shown on the checklist, the rule's source, the evidence
evaluator that says whether it is met (``compliance.moa.evidence.EVALUATORS``) and that
evaluator's default parameters.

The text is the product's reading of public MOAs, not the agency's own signed MOA: every row
applied from a template starts unconfirmed ("Check against your signed MOA") until an
administrator confirms or edits it (``compliance.moa.services.requirement_confirm``).
``TEMPLATES`` maps each model (JEM, WSO, TFM) to its rows in checklist order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.core.models import AgreementModel, Clause


@dataclass(frozen=True)
class RequirementTemplate:
    """One shipped requirement: what ``requirements_apply`` copies onto an agreement."""

    key: str
    clause: str
    title: str
    text: str
    source: str
    evidence: str
    parameters: dict = field(default_factory=dict)


def _t(key, clause, title, text, source, evidence, **parameters) -> RequirementTemplate:
    return RequirementTemplate(key, clause, title, text, source, evidence, dict(parameters))


NOMINATION = _t(
    "nomination-checklist",
    Clause.NOMINATION,
    "Designated officers nominated and vetted",
    "Only officers who are U.S. citizens, passed the agency's 5-year and ICE's background checks, signed the "
    "privacy waiver and the 2-year service commitment are designated.",
    "R2.8; MOA “Nomination of Personnel”",
    "nomination_checklist",
)
CREDENTIAL = _t(
    "ice-credential",
    Clause.TRAINING,
    "ICE credentials issued to designated officers",
    "Every designated officer holds the credential ICE issues to those who pass the course (id and issue date).",
    "R2.9; MOA “Certification and Authorization”",
    "ice_credential",
)
TRAINING = _t(
    "training-current",
    Clause.TRAINING,
    "Designated officers trained and current",
    "Only trained and certified officers use the delegated authority; the basic course, the refresher every "
    "two years and the annual courses are kept current.",
    "R2.4, R2.5, R2.7; MOA “Training”; GAO-21-186",
    "training_currency",
)
ICE_SUPERVISION = _t(
    "ice-supervision",
    Clause.ICE_SUPERVISION,
    "287(g) actions under ICE supervision",
    "Immigration functions are performed only under ICE direction and supervision; the supervising ICE officer "
    "is recorded on each 287(g) action.",
    "R1.1, R3.4; 8 U.S.C. §1357(g)(3); MOA “ICE Supervision”",
    "ice_supervision",
    at_risk_percent=95,
)
TFM_APPROVALS = _t(
    "tfm-prior-approval",
    Clause.ICE_SUPERVISION,
    "ICE prior approval of field actions",
    "ICE approves any immigration arrest without state or local charges and any planned operation whose only "
    "purpose is immigration enforcement, before it happens.",
    "R3.10 (2009 revision; verify against the 2025 TFM MOA)",
    "open_findings",
    kinds=["action_outside_agreement", "officer_not_authorized"],
)
REPORTING = _t(
    "data-reporting",
    Clause.REPORTING,
    "Arrest, detention and removal data kept complete",
    "Complete data is kept on each encounter, detainer, transfer and outcome: every detainer received has its "
    "outcome recorded.",
    "R3.7; ICE 2013 fact sheet; MOA “Reporting Requirements”",
    "detainer_outcomes",
    pending_days=30,
)
DETAINER_CHECKS = _t(
    "detainer-checks",
    Clause.REPORTING,
    "Detainers held within their limits",
    "No hold past 48 hours, no hold without a signed warrant or on a form that cannot authorize one, every "
    "citizenship claim stopped and checked.",
    "R4.7, R4.8, §4.4; Policy 10074.2",
    "open_findings",
    kinds=["hold_deadline_passed", "no_warrant", "hold_without_authority", "citizenship_claim"],
)
COMPLAINTS = _t(
    "complaint-procedures",
    Clause.COMPLAINTS,
    "Complaints referred to ICE on time",
    "The public can complain about immigration actions; complaints that concern the delegated authority are "
    "referred to ICE OPR / the Joint Intake Center within the time the MOA sets.",
    "R3.5; MOA “Complaint Procedures”, Appendix B",
    "complaint_referrals",
)
LANGUAGE = _t(
    "language-access",
    Clause.CIVIL_RIGHTS,
    "Language and interpreter recorded on interviews and service",
    "Officers follow federal civil-rights law; people with limited English proficiency get interpretation; the "
    "language and any interpreter are recorded on every interview and service of a form.",
    "R3.8; MOA “Civil Rights Standards / Interpreter Services”",
    "language_access",
    at_risk_percent=95,
)
COMMITTEE = _t(
    "steering-committee",
    Clause.STEERING_COMMITTEE,
    "Steering committee meets as required",
    "A local steering committee reviews the program and meets at the frequency the MOA sets.",
    "R3.6; MOA “Steering Committee”",
    "steering_committee",
    warning_days=30,
)
OUTREACH = _t(
    "community-outreach",
    Clause.OUTREACH,
    "Community outreach held",
    "The agency explains the program to the community it serves.",
    "R3.6; MOA “Community Outreach”",
    "outreach_events",
    events_per_period=1,
)
MEDIA = _t(
    "media-relations",
    Clause.MEDIA,
    "Media statements coordinated with ICE",
    "Press releases and statements about the program are coordinated with ICE's public affairs office; attach "
    "the agency's media policy or its coordination procedure.",
    "MOA “Relations with the News Media”",
    "document",
)
DURATION = _t(
    "duration",
    Clause.DURATION,
    "Agreement in force and renewed on time",
    "The agreement is signed, in force, and renewed before it expires.",
    "R3.9; CRS 2021; MOA “Duration and Termination”",
    "agreement_term",
)
WSO_SCOPE = _t(
    "wso-scope",
    Clause.OTHER,
    "WSO officers only serve and execute warrants",
    "Under a Warrant Service Officer agreement officers only serve and execute ICE administrative warrants in "
    "the jail; no interviews or processing.",
    "R1.6; ICE WSO release (6 May 2019)",
    "open_findings",
    kinds=["action_outside_agreement", "officer_not_authorized"],
)
WSO_CLOCK = _t(
    "wso-48-hours",
    Clause.OTHER,
    "ICE takes custody within 48 hours of a WSO arrest",
    "After a WSO arrest ICE takes custody within 48 hours (unless an IGSA applies), or the person is released.",
    "R1.7, R4.10; ICE WSO release (6 May 2019)",
    "open_findings",
    kinds=["hold_deadline_passed"],
)
JEM_SCOPE = _t(
    "jem-scope",
    Clause.OTHER,
    "JEM actions only in the facility, on booked subjects",
    "Delegated authority is used only inside the correctional facility, on people booked on state or local charges.",
    "R1.6, R3.1",
    "open_findings",
    kinds=["action_outside_agreement", "officer_not_authorized"],
)
OFFICER_CAP = _t(
    "officer-cap",
    Clause.NOMINATION,
    "Designated officers within the MOA's cap",
    "No more officers are designated than the MOA allows.",
    "R1.8; LVMPD and Frederick County MOAs",
    "officer_cap",
)

_COMMON_HEAD = (NOMINATION, OFFICER_CAP, CREDENTIAL, TRAINING, ICE_SUPERVISION)
_COMMON_TAIL = (REPORTING, DETAINER_CHECKS, COMPLAINTS, LANGUAGE, COMMITTEE, OUTREACH, MEDIA, DURATION)

#: The shipped requirements per agreement model, in checklist order.
TEMPLATES: dict[str, tuple[RequirementTemplate, ...]] = {
    AgreementModel.JEM: (*_COMMON_HEAD, JEM_SCOPE, *_COMMON_TAIL),
    AgreementModel.WSO: (*_COMMON_HEAD, WSO_SCOPE, WSO_CLOCK, *_COMMON_TAIL),
    AgreementModel.TFM: (*_COMMON_HEAD, TFM_APPROVALS, *_COMMON_TAIL),
}


def templates_for(model: str) -> tuple[RequirementTemplate, ...]:
    """The shipped requirements of agreement ``model`` ("JEM", "WSO", "TFM"); an unknown model has none."""
    return TEMPLATES.get(model, ())
