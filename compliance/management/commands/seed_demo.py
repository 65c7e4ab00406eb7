"""``manage.py seed_demo``: invented demo data for a laptop (refuses to run unless DEBUG is on).

Three invented agencies in three time zones, their agreements with the shipped
default training requirements (basic course, 24-month refresher, annual online
courses: training.requirements.services), 15 officers each linked to an agreement
(current, expiring within 90 days — one expiring today —, expired, one missing
an annual course), detainers handled by authorized officers with hold deadlines
in the next hours and one past its deadline, incidents of every severity, outreach this quarter
(with commitments in the first agency: one overdue, one done with its evidence, one due within days),
the agency's rank order, demo cases of the review workflow in every stage (a public complaint in
Spanish among them: ``seed_cases``), and one demo user per role. Every date is relative to today (the agency's local
date), so the demo always shows expiring items. Running it again updates the
same rows instead of adding new ones. All people and agencies are invented.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from community.models import (
    Commitment,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    Contact,
    EventParticipant,
    MeetingAttendance,
    Organisation,
    OutreachEvent,
)
from community.transparency.models import TransparencySettings
from community.transparency.services import section_keys
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency, Agreement, AgreementModel, User
from compliance.core.privacy.fake_data import fake_a_number
from compliance.core.roles import Role, role_grant
from compliance.core.site_links import absolute_url
from compliance.core.system_account import system_user
from compliance.dashboard import quarter_bounds
from incidents.case_review import services as case_review
from incidents.complaints.models import ComplaintContact
from incidents.complaints.tracking import ALPHABET, tracking_number_normalise
from incidents.detainers.choices import InterpreterType, PCBasis, ReleaseCause
from incidents.detainers.models import Detainer
from incidents.detainers.no_warrant import no_warrant_sync
from incidents.detainers.rules import hold_deadline
from incidents.incident_log.models import Incident
from incidents.incident_log.services import incident_create
from training.requirements.models import TrainingRequirement
from training.requirements.services import expiry_under, requirement_defaults_apply
from training.roster import rules
from training.roster.facts import training_facts_refresh
from training.roster.lapses import certifications_record_lapses
from training.roster.models import Certification, Course, Officer, Rank

Kind = TrainingRequirement.Kind

#: The one shared password of every demo account (documented in the README; DEBUG only).
DEMO_PASSWORD = "demo-287g-compliance"
REFUSE_MESSAGE = "seed_demo only runs with DEBUG=1: it creates demo accounts with a published password."
#: Every demo login's authenticator-app key (base32, invented, published in the README; DEBUG only): add it to a
#: real authenticator app to sign in with its codes, as a user would.
DEMO_TOTP_SECRET = "DEMO2SECRET2FOR2LAPTOPS2ONLY2222"

AGENCIES = (
    # code, name, state, county, type, zone, agreements (model, signed years ago)
    ("QCSO", "Quillmoor County Sheriff's Office", "TX", "Quillmoor County", Agency.Type.COUNTY, "America/Chicago",
     ((AgreementModel.JEM, 3), (AgreementModel.WSO, 3))),
    ("VPD", "Vessington Police Department", "AZ", "Ardel County", Agency.Type.MUNICIPALITY, "America/Phoenix",
     ((AgreementModel.TFM, 1),)),
    ("LCSO", "Larkhaven County Sheriff's Office", "FL", "Larkhaven County", Agency.Type.COUNTY, "America/New_York",
     ((AgreementModel.WSO, 2),)),
)  # fmt: skip

# An extra course no agreement requires (shown on the officer page, never in the status): code, name,
# validity (months), hours, delivery. The required ones are the agreements' shipped defaults.
EXTRA_COURSES = (("UOF", "ICE use-of-force policy briefing", 12, 4, Course.Delivery.HYBRID),)

FIRST_NAMES = ("Avery", "Jordan", "Marisol", "Tobias", "Keira", "Dashiell", "Noemi", "Rowan", "Ilse", "Caspian",
               "Wren", "Odalys", "Fenwick", "Priya", "Lucan")  # fmt: skip
LAST_NAMES = ("Abernathy", "Brightwater", "Castellano", "Dunmore", "Eskridge", "Falkner", "Greywood", "Holloway",
              "Ingersoll", "Jarrow", "Kettering", "Lindqvist", "Marchetti", "Northcott", "Okonkwo")  # fmt: skip
UNITS = ("Jail intake", "Jail operations", "Warrants", "Records")

# Officer index → days from today to the last valid day of the basic-course/refresher chain
# (R2.4, 24 months). 0 expires today, 1–2 expire within 90 days, 3–4 expired, 5 never completed the
# annual SBU course (missing), the rest current; from index 8 on the chain is renewed by a refresher.
EXPIRY_PLAN = {0: 0, 1: 21, 2: 67, 3: -12, 4: -48}
MISSING_ANNUAL = (5, "SBU")
REFRESHED_FROM = 8
# Officers of the agency's second agreement (the Quillmoor WSO agreement), all current.
SECOND_AGREEMENT_FROM = 12
# Detainer index → officer index handling it: current officers of the detainers' agreement (authorized).
HANDLING_OFFICER_FROM = 6

DEMO_USERS = (
    ("demo-staff", "Dana", "Staff", Role.STAFF, False),
    # All three agencies, so every agency has a supervisor to receive deadline and R4.6 warnings.
    ("demo-supervisor", "Sam", "Supervisor", Role.SUPERVISOR, True),
    ("demo-auditor", "Alex", "Auditor", Role.AUDITOR, True),  # all three agencies
    ("demo-admin", "Morgan", "Administrator", Role.ADMINISTRATOR, False),
)

#: How the logins (and README.md's "Demo logins" table) name the scope of a user granted in every demo agency;
#: the others are granted in the first agency only, named in full.
EVERY_AGENCY = "all three demo agencies"


class Command(BaseCommand):
    help = (
        "Create or refresh invented demo data (agencies, officers, detainers, incidents, outreach) and "
        f"demo logins (demo-staff, demo-supervisor, demo-auditor, demo-admin; password {DEMO_PASSWORD!r}). "
        "Refuses to run unless DEBUG is on. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print the demo logins (no database needed)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(REFUSE_MESSAGE)
        sign_in_url = absolute_url(reverse("account_login"))
        if options["logins_only"]:
            self._print(login_lines(sign_in_url=sign_in_url))
            return
        now = timezone.now()
        with transaction.atomic(), acting_as(system_user(), reason="Demo data (seed_demo)"):
            agencies = [seed_agency(spec, now=now) for spec in AGENCIES]
            users = seed_users(agencies)
            for agency in agencies:
                officers = seed_training(agency, supervisor=users["demo-supervisor"], now=now)
                seed_detainers(agency, officers=officers, now=now)
                seed_incidents(agency, reporter=users["demo-staff"], now=now)
                seed_outreach(agency, now=now)
                seed_outreach_people(agency, staff=users["demo-staff"])
                seed_committee(agency, users=users, now=now)
            seed_commitments(agencies[0], owner=users["demo-staff"], now=now)
            seed_cases(agencies[0], users=users, now=now)
            seed_transparency(agencies[0], admin=users["demo-admin"], now=now)
            seed_requirements(agencies[0], admin=users["demo-admin"])
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self._print(login_lines(sign_in_url=sign_in_url))

    def _print(self, lines: list[str]) -> None:
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)


def demo_scope(everywhere: bool) -> str:
    """The agencies a demo user is granted, as the logins and the README name them."""
    return EVERY_AGENCY if everywhere else AGENCIES[0][1]


def login_lines(*, sign_in_url: str) -> list[str]:
    """The demo logins as printed, last, by ``seed_demo`` and ``serve_demo`` (``make run``); no database read.

    One heading naming ``sign_in_url`` (an absolute URL), one line per demo user
    (username, role, agencies: ``DEMO_USERS``), and the shared password. README.md's
    "Demo logins" table says the same (tests/compliance/test_first_run.py).
    """
    users = [
        f"  {username:<16} {role:<22} {demo_scope(everywhere)}"
        for username, _first, _last, role, everywhere in DEMO_USERS
    ]
    return [
        f"Sign in at {sign_in_url} with:",
        *users,
        second_step_line(),
        f"Password for every demo login: {DEMO_PASSWORD}",
    ]


def second_step_line() -> str:
    """What to type at the sign-in's second step: ``DEMO_MFA_CODE`` when ``make run`` set it, or an app's code.

    Reads settings only (``MFA_TOTP_INSECURE_BYPASS_CODE``, which settings.py takes from
    ``DEMO_MFA_CODE`` when DEBUG is on), never the database.
    """
    bypass = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None) if settings.DEBUG else None
    app = f"an authenticator app's code for the key {DEMO_TOTP_SECRET}"
    if bypass:
        return f"Code at the second step: {bypass} (DEMO_MFA_CODE, development only), or {app}"
    return f"Code at the second step: {app}"


def _upsert(model, lookup: dict, values: dict):
    """Get by ``lookup`` and set ``values``; create if missing. Saves (history) only when something changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return obj


def seed_agency(spec, *, now) -> Agency:
    code, name, state, county, agency_type, zone, agreements = spec
    agency = _upsert(
        Agency, {"state": state, "name": name}, {"county": county, "agency_type": agency_type, "time_zone": zone}
    )
    today = timezone.localdate(now, timezone=agency.zone)
    for model, years_ago in agreements:
        signed = date(today.year - years_ago, 3, 14)
        _upsert(Agreement, {"agency": agency, "model": model, "signed_on": signed}, {"status": Agreement.Status.ACTIVE})
    return agency


def seed_users(agencies: list[Agency]) -> dict[str, User]:
    users = {}
    for username, first, last, role, everywhere in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, f"{username}@example.test", DEMO_PASSWORD)
        user.first_name, user.last_name, user.home_agency, user.is_active = first, last, agencies[0], True
        user.set_password(DEMO_PASSWORD)
        user.save()
        # Enrolled with the published demo key, so the sign-in asks for its code (or DEMO_MFA_CODE) at once.
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        for agency in agencies if everywhere else agencies[:1]:
            role_grant(user=user, agency=agency, role=role)
        users[username] = user
    return users


def seed_training(agency: Agency, *, supervisor: User, now) -> list[Officer]:
    """Officers under the agency's agreements, designated as a designation leaves them, trained by the requirements.

    Each officer has the nomination checklist (R2.8) and an ICE credential
    (R2.9) on file, as the one authorization rule needs
    (``training.roster.authorization``). Applies the shipped default requirements to each agreement
    (``training.requirements.services.requirement_defaults_apply``: basic course,
    24-month refresher, annual online courses; idempotent), links each officer
    to an agreement and gives each the completions of its requirements, with
    ``expires_on`` by the requirement's rule. Refreshes the roster's stored
    facts and records lapses (``training.roster.lapses``), as the services and the
    daily job would. Returns the officers by index.
    """
    today = timezone.localdate(now, timezone=agency.zone)
    agreements = list(agency.agreements.filter(status=Agreement.Status.ACTIVE).order_by("model"))
    for agreement in agreements:
        requirement_defaults_apply(actor=system_user(), agreement=agreement)
    for code, name, months, hours, delivery in EXTRA_COURSES:
        _upsert(
            Course,
            {"agency": agency, "code": code},
            {"name": name, "validity_months": months, "hours": hours, "delivery": delivery, "required": False},
        )
    extra = list(Course.objects.filter(agency=agency, code__in=[spec[0] for spec in EXTRA_COURSES]))
    prefix = agency.name[:1]
    ranks = seed_ranks(agency)
    officers = []
    for index, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=True)):
        agreement = agreements[1] if index >= SECOND_AGREEMENT_FROM and len(agreements) > 1 else agreements[0]
        badge = f"{prefix}-{1001 + index}"
        officer = _upsert(
            Officer,
            {"agency": agency, "badge_number": badge},
            {
                "first_name": first,
                "last_name": last,
                "unit": UNITS[index % len(UNITS)],
                "status": Officer.Status.DESIGNATED,
                "agreement": agreement,
                # Nomination checklist (R2.8) and ICE credential (R2.9), done before the designation.
                "us_citizen": True,
                "lea_background_check_on": today - timedelta(days=1200),
                "ice_background_check_on": today - timedelta(days=1180),
                "privacy_waiver_on_file": True,
                "service_commitment_signed": True,
                "ice_credential_id": f"ICE-DEMO-{badge}",
                "ice_credential_issued_on": today - timedelta(days=1100),
                "supervisor": supervisor if agency == supervisor.home_agency else None,
                # The agency's rank order (case assignment): every third officer a sergeant, the rest deputies.
                "rank": ranks["Sergeant"] if index % 3 == 0 else ranks["Deputy"],
            },
        )
        officers.append(officer)
        for course, completed_on, expires_on in _completions(index, agreement, extra, today):
            _upsert(
                Certification,
                {
                    "agency": agency,
                    "officer": officer,
                    "course": course,
                    "certificate_number": f"{badge}-{course.code}",
                },
                {"completed_on": completed_on, "expires_on": expires_on},
            )
    training_facts_refresh(officer_ids=[officer.pk for officer in officers])
    certifications_record_lapses(agency=agency, today=today)
    return officers


def _completions(index: int, agreement: Agreement, extra: list[Course], today: date):
    """(course, completed_on, expires_on) of officer ``index`` under ``agreement``'s requirements, plus extras."""
    requirements = {r.kind: r for r in agreement.training_requirements.select_related("course").order_by("pk")}
    basic, refresher = requirements[Kind.BASIC], requirements[Kind.REFRESHER]
    chain_end = today + timedelta(days=EXPIRY_PLAN.get(index, 95 + 23 * index))
    completed, expires = _completion_for_expiry(chain_end, basic.validity_months)
    if index >= REFRESHED_FROM:
        # Renewed by the refresher: the basic course ran 23 months before it, so coverage never lapsed.
        graduated = completed - relativedelta(months=23)
        yield basic.course, graduated, rules.certification_expires_on(graduated, basic.validity_months)
        yield refresher.course, completed, expires
    else:
        yield basic.course, completed, expires
    fiscal_year_start = date(rules.fiscal_year_of(today) - 1, 10, 1)
    for requirement in agreement.training_requirements.filter(kind=Kind.ANNUAL).select_related("course"):
        if (index, requirement.course.code) == MISSING_ANNUAL:
            continue  # never completed: "missing"
        # Completed this federal fiscal year: valid through 30 September of the next one (R2.5).
        completed_on = max(fiscal_year_start, today - timedelta(days=10 + index))
        yield requirement.course, completed_on, expiry_under(requirement, requirement.course, completed_on, None)
    for course in extra:
        completed_on = today - timedelta(days=30 + 7 * index)
        yield course, completed_on, rules.certification_expires_on(completed_on, course.validity_months)


def _completion_for_expiry(target: date, months: int) -> tuple[date, date]:
    """A completion date whose expiry (by the one rule, case T3) is ``target`` or just after it."""
    completed = target - relativedelta(months=months)
    while rules.certification_expires_on(completed, months) < target:
        completed += timedelta(days=1)
    return completed, rules.certification_expires_on(completed, months)


DETAINERS = (
    # suffix, subject, hours until the hold deadline (None: still in state custody), outcome
    ("0001", ("Quenby", "Tarrant"), 3, Detainer.Outcome.PENDING),
    ("0002", ("Idris", "Valmont"), 9, Detainer.Outcome.PENDING),
    ("0003", ("Solenne", "Brask"), 22, Detainer.Outcome.PENDING),
    ("0004", ("Corwin", "Ashdale"), -3, Detainer.Outcome.PENDING),  # past the deadline, no outcome
    ("0005", ("Marguerite", "Pellow"), None, Detainer.Outcome.PENDING),
    ("0006", ("Evander", "Stroud"), -30, Detainer.Outcome.TRANSFERRED),
)


#: Booking suffixes whose copy of the detainer was not served on the subject yet (R4.5: no hold),
#: and whose I-200 is on file but unsigned (R4.3: no hold) — so the custody board shows failed checks.
NOT_SERVED = {"0003", "0005"}
WARRANT_UNSIGNED = {"0002"}


def seed_detainers(agency: Agency, *, officers: list[Officer], now) -> None:
    agreement = agency.agreements.filter(status=Agreement.Status.ACTIVE).order_by("model").first()
    for index, (suffix, (first, last), hours, outcome) in enumerate(DETAINERS):
        # A current officer of the same agreement: authorized at the action (training.roster.authorization).
        handling_officer = officers[HANDLING_OFFICER_FROM + index]
        released = None if hours is None else now + timedelta(hours=hours) - timedelta(hours=48)
        received = (released or now) - timedelta(days=2)
        values = {
            "agreement": agreement,
            "handling_officer": handling_officer,
            "form_version": "I-247A (02/17)",
            "box_1_probable_cause": True,
            "pc_basis": [PCBasis.PENDING_PROCEEDINGS],
            "offense_level": 1 + index % 3,
            "release_cause": ReleaseCause.BAIL_POSTED if released else "",
            "local_hold_authority": "Invented state statute § 0-000 (demo data)",
            "served_on_subject_at": None if suffix in NOT_SERVED else received + timedelta(hours=1),
            "served_by": "" if suffix in NOT_SERVED else "Intake deputy (demo)",
            # R3.8: every service records its language and interpreter (none used here).
            "service_language": "" if suffix in NOT_SERVED else "Spanish",
            "service_interpreter_type": "" if suffix in NOT_SERVED else InterpreterType.NONE,
            "ice_notified_at": received + timedelta(hours=2),
            "subject_first_name": first,
            "subject_last_name": last,
            # G2: only A-numbers of the reserved fake range (compliance.core.privacy.fake_data), one per demo subject.
            "a_number": fake_a_number(agency.pk * 100 + index),
            "booked_at": received - timedelta(hours=6),
            "underlying_charge": "Invented state charge (demo data)",
            "form": Detainer.Form.I247A,
            "issued_at": received - timedelta(hours=1),
            "received_at": received,
            "warrant_type": Detainer.Warrant.I200,
            "warrant_signed": suffix not in WARRANT_UNSIGNED,
            "would_be_released_at": released,
            "hold_deadline": hold_deadline(released) if released else None,
            "outcome": outcome,
            "outcome_at": released + timedelta(hours=20) if outcome != Detainer.Outcome.PENDING else None,
        }
        detainer = _upsert(Detainer, {"agency": agency, "booking_number": f"{agency.name[:1]}B-{suffix}"}, values)
        # R4.3: the unsigned I-200 opens its finding, as logging it through the service would. was_missing=True:
        # a second run opens none and never reopens one a demo supervisor closed.
        no_warrant_sync(detainer=detainer, actor=system_user(), was_missing=True)


S = Incident.Status
INCIDENTS = (
    (Incident.Kind.HOLD_VIOLATION, Incident.Severity.CRITICAL, S.RECEIVED, "Hold past deadline at intake"),
    (Incident.Kind.CITIZENSHIP_CLAIM, Incident.Severity.HIGH, S.SUPERVISOR_REVIEW, "Citizenship claim"),
    (Incident.Kind.COMPLAINT, Incident.Severity.MEDIUM, S.RECEIVED, "Complaint about interpreter access"),
    (Incident.Kind.OTHER, Incident.Severity.LOW, S.UNDER_INVESTIGATION, "Late consular notification record"),
    (Incident.Kind.SCOPE_VIOLATION, Incident.Severity.MEDIUM, S.CLOSED, "Interview outside WSO scope"),
)


def demo_tracking_number(agency: Agency) -> str:
    """The demo public complaint's tracking number: fixed per agency, in the real format ("DEMQ-ESx-xxx")."""
    digits, number = [], agency.pk
    for _ in range(4):
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return tracking_number_normalise("DEMQES" + "".join(reversed(digits)))


def seed_incidents(agency: Agency, *, reporter: User, now) -> None:
    for days_ago, (kind, severity, status, title) in enumerate(INCIDENTS, start=1):
        _upsert(
            Incident,
            {"agency": agency, "title": f"{title} (demo)"},
            {
                "kind": kind,
                "severity": severity,
                "status": status,
                "description": "Invented demo incident.",
                "occurred_at": now - timedelta(days=days_ago * 3),
                "received_at": now - timedelta(days=days_ago * 3 - 1),
                "reported_by": reporter if agency == reporter.home_agency else None,
                "closure": Incident.Closure.REVIEWED if status == Incident.Status.CLOSED else "",
                "closed_at": now - timedelta(days=1) if status == Incident.Status.CLOSED else None,
                "review_narrative": "Demo review narrative." if status == Incident.Status.CLOSED else "",
            },
        )


RANKS = (("Deputy", 10), ("Sergeant", 20), ("Lieutenant", 30))


def seed_ranks(agency: Agency) -> dict[str, Rank]:
    """The agency's rank order (deputy 10, sergeant 20, lieutenant 30): name → rank."""
    return {
        name: _upsert(Rank, {"agency": agency, "name": name}, {"seniority": seniority}) for name, seniority in RANKS
    }


#: (title, stage) of the review-workflow demo cases; the public complaint is in Spanish.
CASES = (
    ("Queja: trato durante una entrevista (demo)", "public"),
    ("Use of force during a transfer (demo)", "investigating"),
    ("Interpreter not offered at booking (demo)", "review"),
    ("Phone call to a consulate refused (demo)", "closed"),
)


def seed_cases(agency: Agency, *, users: dict[str, User], now) -> None:
    """Demo cases of the review workflow in several stages, built through its services (their timelines too).

    A public complaint in Spanish with contact details and a tracking number (received); one under
    investigation with an allegation; one in supervisor review; one closed with a sustained
    allegation. demo-staff investigates, demo-supervisor triages and closes. A case already seeded
    (by its title) is left as it is: a second run adds nothing. All invented.
    """
    staff, supervisor = users["demo-staff"], users["demo-supervisor"]
    subject = Officer.objects.filter(agency=agency, rank__name="Deputy").order_by("badge_number").first()
    for days_ago, (title, stage) in enumerate(CASES, start=2):
        if Incident.objects.filter(agency=agency, title=title).exists():
            continue
        occurred_at = now - timedelta(days=days_ago * 4)
        if stage == "public":
            case = Incident.objects.create(
                agency=agency,
                kind=Incident.Kind.COMPLAINT,
                severity=Incident.Severity.MEDIUM,
                source=Incident.Source.PUBLIC,
                title=title,
                description="Un agente no me dejó llamar a mi familia durante la entrevista. (Queja inventada.)",
                occurred_at=occurred_at,
                received_at=now - timedelta(days=1),
                location="Cárcel del condado (inventado)",
                officer_description="Placa terminada en 12",
                immigration_related=Incident.Immigration.YES,
                tracking_number=demo_tracking_number(agency),
            )
            ComplaintContact.objects.create(
                incident=case, name="Persona Inventada", email="queja.demo@example.test", language="es"
            )
            case_review.case_note_add(incident=case, actor=supervisor, text="Demo: received through the public form.")
            continue
        case = incident_create(
            agency=agency,
            actor=staff,
            kind=Incident.Kind.USE_OF_FORCE if stage == "investigating" else Incident.Kind.OTHER,
            severity=Incident.Severity.HIGH,
            title=title,
            description="Invented demo case.",
            occurred_at=occurred_at,
        )
        case = case_review.incident_accept(incident=case, actor=supervisor, investigator=staff)
        if subject is not None:
            case_review.subject_officer_add(incident=case, actor=staff, officer=subject)
        allegation = case_review.allegation_add(
            incident=case, actor=staff, text="Invented allegation for the demo.", officer=subject
        )
        if stage == "investigating":
            continue
        disposition = "sustained" if stage == "closed" else "not_sustained"
        case_review.allegation_dispose(
            allegation=allegation, actor=staff, disposition=disposition, note="Invented evidence summary."
        )
        case = case_review.incident_submit_for_review(incident=case, actor=staff, summary="Invented summary.")
        if stage == "closed":
            case_review.incident_close(
                incident=case, actor=supervisor, narrative="Invented signed-off review narrative."
            )


def seed_outreach(agency: Agency, *, now) -> None:
    today = timezone.localdate(now, timezone=agency.zone)
    start, _end = quarter_bounds(today)
    recent = max(start, today - timedelta(days=7))
    events = (
        ("Meeting with the consulate", OutreachEvent.Kind.CONSULATE_MEETING, start),
        ("Community forum on the 287(g) agreement", OutreachEvent.Kind.COMMUNITY_MEETING, recent),
        ("Presentation to the county commission", OutreachEvent.Kind.PRESENTATION, start - timedelta(days=20)),
    )  # fmt: skip
    for title, kind, held_on in events:
        _upsert(
            OutreachEvent,
            {"agency": agency, "title": f"{title} (demo)"},
            {
                "kind": kind,
                "held_on": held_on,
                "location": "Invented venue",
                "attendance": 40,
                "languages": "English, Spanish",
                "interpretation_provided": True,
            },
        )


#: Invented organisations (name, kind) and a contact at each (name, role, language) for the outreach demo.
DEMO_ORGANISATIONS = (
    ("Consulate of Invented Country (demo)", Organisation.Kind.CONSULATE, "Consul Demo Ejemplo", "Consul", "Spanish"),
    ("Legal-aid clinic (demo)", Organisation.Kind.LEGAL_AID, "Attorney Demo Sample", "Staff attorney", "English"),
    ("Faith community (demo)", Organisation.Kind.FAITH, "Pastor Demo Example", "Pastor", "Spanish"),
    ("County school board (demo)", Organisation.Kind.SCHOOL, "Trustee Demo Person", "Trustee", "English"),
    ("Local newspaper (demo)", Organisation.Kind.MEDIA, "Reporter Demo Writer", "Reporter", "English"),
)  # fmt: skip


def seed_outreach_people(agency: Agency, *, staff) -> None:
    """Invented organisations and contacts of ``agency``, and who took part in its demo events (added by ``staff``).

    Idempotent: participants are looked up by event and party; their ``added_at`` is when the event was logged.
    """
    organisations = []
    for name, kind, contact_name, role, language in DEMO_ORGANISATIONS:
        organisation = _upsert(Organisation, {"agency": agency, "name": name}, {"kind": kind, "website": "example.org"})
        organisations.append(organisation)
        _upsert(
            Contact,
            {"agency": agency, "name": contact_name},
            {"organisation": organisation, "role": role, "languages": language, "email": "demo@example.org"},
        )
    events = {event.kind: event for event in OutreachEvent.objects.filter(agency=agency, title__endswith="(demo)")}
    takes_part = {
        OutreachEvent.Kind.CONSULATE_MEETING: organisations[:2],
        OutreachEvent.Kind.COMMUNITY_MEETING: organisations[1:],
        OutreachEvent.Kind.PRESENTATION: organisations[3:4],
    }
    for kind, parties in takes_part.items():
        event = events.get(kind)
        if event is None:
            continue
        # Recorded when the event was logged (not backdated), so the event "as of" any day shows them with it.
        added_at = event.created_at
        for organisation in parties:
            _upsert(
                EventParticipant,
                {"event": event, "organisation": organisation, "removed_at": None},
                {"added_at": added_at, "added_by": staff},
            )
        if access.can(staff, access.VIEW, agency):
            _upsert(
                EventParticipant,
                {"event": event, "staff": staff, "removed_at": None},
                {"added_at": added_at, "added_by": staff},
            )


def seed_commitments(agency: Agency, *, owner: User, now) -> None:
    """Commitments made at the agency's demo events: one overdue, one done with its evidence, one due in 5 days.

    Dates relative to the agency's today; a second run on the same day changes nothing.
    """
    today = timezone.localdate(now, timezone=agency.zone)
    presentation = OutreachEvent.objects.get(agency=agency, title="Presentation to the county commission (demo)")
    forum = OutreachEvent.objects.get(agency=agency, title="Community forum on the 287(g) agreement (demo)")
    done_on = presentation.held_on + timedelta(days=5)
    closed_at = datetime.combine(done_on, time(17, 0), tzinfo=agency.zone)
    items = (
        (presentation, "Publish the quarterly detainer figures on the county website (demo)",
         presentation.held_on + timedelta(days=10), {}),
        (presentation, "Send the commission the complaint procedure in English and Spanish (demo)",
         presentation.held_on + timedelta(days=14),
         {"status": Commitment.Status.DONE, "evidence": "Sent by e-mail to the commission clerk; copy in the "
          "outreach folder (demo).", "completed_on": done_on, "closed_at": closed_at, "closed_by": owner}),
        (forum, "Hold the next forum with Spanish interpretation (demo)", max(today, forum.held_on) + timedelta(days=5),
         {}),
    )  # fmt: skip
    for event, description, due_on, closed in items:
        _upsert(
            Commitment,
            {"agency": agency, "event": event, "description": description},
            {"owner": owner, "due_on": due_on, "created_by": owner, **closed},
        )


#: The demo committee: (name, role, voting, term start in years ago, term end in months ago or None).
DEMO_COMMITTEE = (
    ("Alex Demo (invented)", CommitteeMember.Role.CHAIR, True, 2, None),
    ("Sam Example (invented)", CommitteeMember.Role.VICE_CHAIR, True, 1, None),
    ("Jordan Sample (invented)", CommitteeMember.Role.COMMUNITY, True, 1, None),
    ("Casey Placeholder (invented)", CommitteeMember.Role.AGENCY, False, 1, None),
    ("Robin Former (invented)", CommitteeMember.Role.SECRETARY, True, 3, 8),
)


def _local_at(agency: Agency, day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=agency.zone)


def seed_committee(agency: Agency, *, users: dict[str, User], now) -> None:
    """The steering committee (R3.6): a 3-month requirement per agreement, five invented members (one past), a
    meeting held last quarter (attendance, approved minutes, a decision, an action item), one held this quarter
    with minutes awaiting approval, and the next one scheduled."""
    today = timezone.localdate(now, timezone=agency.zone)
    for agreement in Agreement.objects.filter(agency=agency):
        _upsert(
            CommitteeRequirement,
            {"agreement": agreement},
            {"required": True, "meeting_interval_months": 3, "minutes_approval_days": 30},
        )
    members = []
    for name, role, voting, years, ended_months_ago in DEMO_COMMITTEE:
        end = today - timedelta(days=30 * ended_months_ago) if ended_months_ago else None
        members.append(
            _upsert(
                CommitteeMember,
                {"agency": agency, "name": name},
                {"role": role, "voting": voting, "term_start": date(today.year - years, 1, 1), "term_end": end},
            )
        )
    start, _end = quarter_bounds(today)
    last_quarter_start, _ = quarter_bounds(start - timedelta(days=1))
    earlier_day = last_quarter_start + timedelta(days=45)
    recent_day = max(start, today - timedelta(days=10))
    supervisor, staff = users["demo-supervisor"], users["demo-staff"]
    earlier = _upsert(
        CommitteeMeeting,
        {"agency": agency, "agenda": "Quarterly review of detainer figures and complaints (demo, last quarter)"},
        {
            "starts_at": _local_at(agency, earlier_day, 10),
            "location": "County building, room 2 (invented)",
            "status": CommitteeMeeting.Status.HELD,
            "public_attendance": 14,
            "minutes": "Invented minutes: the figures were reviewed; the public asked about interpreters.",
            "minutes_approved_on": earlier_day + timedelta(days=7),
            "minutes_approved_by": supervisor,
        },
    )
    recent = _upsert(
        CommitteeMeeting,
        {"agency": agency, "agenda": "Quarterly review of detainer figures and complaints (demo, this quarter)"},
        {
            "starts_at": min(_local_at(agency, recent_day, 10), now - timedelta(hours=1)),
            "location": "County building, room 2 (invented)",
            "status": CommitteeMeeting.Status.HELD,
            "public_attendance": 9,
            "minutes": "Invented minutes awaiting approval.",
        },
    )
    _upsert(
        CommitteeMeeting,
        {"agency": agency, "agenda": "Next quarterly review (demo)"},
        {
            "starts_at": _local_at(agency, today + timedelta(days=21), 10),
            "location": "County building, room 2 (invented)",
            "status": CommitteeMeeting.Status.SCHEDULED,
        },
    )
    for meeting, day in ((earlier, earlier_day), (recent, recent_day)):
        for index, member in enumerate(members):
            if member.term_start <= day and (member.term_end is None or member.term_end >= day):
                _upsert(MeetingAttendance, {"meeting": meeting, "member": member}, {"present": index != 2})
    _upsert(
        CommitteeDecision,
        {"meeting": earlier, "number": 1},
        {"text": "Publish the quarterly detainer figures on the transparency page (invented decision)."},
    )
    if access.can(staff, access.CHANGE, agency):  # an owner must be able to open and finish it
        _upsert(
            Commitment,
            {
                "agency": agency,
                "meeting": earlier,
                "description": "Offer Spanish interpretation at every meeting (demo)",
            },
            {"owner": staff, "due_on": earlier_day + timedelta(days=30), "created_by": supervisor},
        )


def seed_transparency(agency: Agency, *, admin: User, now) -> TransparencySettings:
    """Publish the first demo agency's transparency page with every section (``make run`` shows /transparency/).

    Published "by" the demo administrator at 9:00 on the first day of the current quarter (agency time), so a
    second run the same quarter changes nothing.
    """
    start, _end = quarter_bounds(timezone.localdate(now, timezone=agency.zone))
    published_at = datetime.combine(start, time(9), tzinfo=agency.zone)
    values = {
        "sections": section_keys(),
        "suppression_threshold": 10,
        "published_sections": section_keys(),
        "published_threshold": 10,
        "published": True,
        "published_at": published_at,
        "published_by": admin,
    }
    return _upsert(TransparencySettings, {"agency": agency}, values)


def seed_requirements(agency: Agency, *, admin: User) -> None:
    """The MOA checklist (issue #15 item 1) of the first agency's agreements: the shipped requirements applied by its
    administrator (idempotent), two confirmed, the media policy attached to one agreement, then checked now so the
    page opens with a mix of met, at risk and not met read from the demo records above."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    from compliance.core.models import AgreementRequirement, RequirementDocument
    from compliance.moa.services import document_attach, requirement_confirm, requirements_apply
    from compliance.moa.status import requirements_check

    agreements = list(Agreement.objects.filter(agency=agency).order_by("pk"))
    for agreement in agreements:
        requirements_apply(agreement=agreement, actor=admin)
        for key in ("duration", "nomination-checklist"):
            requirement_confirm(requirement=AgreementRequirement.objects.get(agreement=agreement, key=key), actor=admin)
    media = AgreementRequirement.objects.get(agreement=agreements[0], key="media-relations")
    if not RequirementDocument.objects.filter(requirement=media).exists():
        writer = PdfWriter()
        writer.add_blank_page(width=612, height=792)
        buffer = io.BytesIO()
        writer.write(buffer)
        document_attach(
            requirement=media,
            actor=admin,
            upload=SimpleUploadedFile("media-policy.pdf", buffer.getvalue(), content_type="application/pdf"),
            title="Media relations policy (invented)",
        )
    # After the records above (their history rows are stamped as they were written): the check reads them as of now.
    requirements_check(agency=agency, now=timezone.now(), actor=admin)
