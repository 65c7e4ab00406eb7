"""Consular notification (Vienna Convention on Consular Relations, Art. 36; DOMAIN.md R5.4–R5.7).

Rules (R5.4, State Dept *Consular Notification and Access* manual, 5th ed., Sept 2018):

* nationality: without better information, the country that issued the passport. What the
  agency already knows counts from the start: until someone records the nationality in the
  consular section, the detainer's country of citizenship (``subject_country_of_citizenship``,
  as printed on the I-247A) is the nationality (``known_nationality``), so a national of a
  mandatory-notification country (e.g. Poland) owes notification from booking even if nobody
  opened the consular section (``consular_derive``, run on every save of the detainer);
* a national of a **mandatory-notification country** (the versioned list in
  ``ConsularCountryList``, R5.6): the consulate is notified whatever the person wants;
* any other foreign national is told without delay that the consulate may be
  notified, and it is notified if they ask;
* keep a written record (the ``consular_*`` fields).

Timing (R5.5, **[U]**, settings ``CONSULAR_NOTIFICATION_WARN_HOURS`` = 24 and
``CONSULAR_NOTIFICATION_FINDING_HOURS`` = 72): counted in real hours from the
booking (``booked_at``; the detainer's ``received_at`` when the booking time is
not logged). Supervisors are warned once at 24 h; at 72 h one finding opens
(``Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE``). The duty runs from the
booking whether or not the person is still held: the sweep watches open
detainers and also those whose custody has ended (released, transferred,
lifted) while the duty is outstanding, within a bounded window
(``sweep_consular_notifications``).

R5.7 [U]: never tell the consulate about an asylum or fear-of-return claim.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.findings import finding_open_once
from compliance.core.models import Finding
from compliance.core.system_account import system_user
from incidents.consular.models import ConsularCountry, ConsularCountryList, consular_duty_outstanding_q
from incidents.detainers.links import detainer_link
from incidents.detainers.models import Detainer
from incidents.detainers.rules import FUTURE_MESSAGE

logger = logging.getLogger(__name__)

RULE = "R5.5 consular notification within 72 h of arrest [U] (State Dept CNA manual, 5th ed., Sept 2018; VCCR Art. 36)"
US_NATIONALITY_MESSAGE = (
    "Consular notification concerns foreign nationals. A U.S. nationality is a U.S.-citizenship claim: record "
    "it in the citizenship section (R5.1)."
)
METHOD_REQUIRED_MESSAGE = "Say how the consulate was notified."
OFFICER_REQUIRED_MESSAGE = "Name the officer who notified the consulate."
OFFICER_AGENCY_MESSAGE = "This officer is not on the roster of the detainer's agency."
ADVICE_FIRST_MESSAGE = "Record when the person was told of consular notification before recording their answer."
NATIONALITY_FIRST_MESSAGE = "Record the nationality first."
PROTECTION_CLAIM_NOTE = (
    "Never tell the consulate that the person has claimed asylum or fear of return, and share nothing that would "
    "reveal it (R5.7 [U], State Dept CNA manual guidance)."
)

WARN_REASON = "Consular-notification sweep: supervisors warned (R5.5)"
WARN_LATE_REASON = "Consular-notification sweep: already past the finding time when first seen"
FINDING_REASON = "Consular-notification sweep: notification overdue (R5.5)"
ENDED_CUSTODY_NOTE = (
    "Custody has ended ({outcome}), but the duty ran from booking whether or not the person is still held (R5.4–R5.5)."
)

_US_NAMES = {"us", "u.s.", "usa", "u.s.a.", "united states", "united states of america", "america"}


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def is_us_nationality(nationality: str) -> bool:
    """True when ``nationality`` names the United States (a citizenship claim, not a consular case)."""
    return _norm(nationality) in _US_NAMES


# --- The country list (R5.6) ------------------------------------------------------------------------------------


def country_list_at(on: date) -> ConsularCountryList | None:
    """The list version in effect on local date ``on``: latest ``effective_from`` ≤ ``on``.

    For an arrest older than every version, the earliest version (the best
    information held). None only when no list is loaded at all.
    """
    current = ConsularCountryList.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    return current or ConsularCountryList.objects.order_by("effective_from").first()


def mandatory_country(nationality: str, country_list: ConsularCountryList | None) -> ConsularCountry | None:
    """The list entry ``nationality`` matches (ISO code, name or an alias, case-insensitive), else None."""
    wanted = _norm(nationality)
    if not wanted or country_list is None:
        return None
    for country in country_list.countries.all():
        names = {_norm(country.code), _norm(country.name), *(_norm(a) for a in country.aliases.split(";") if a.strip())}
        if wanted in names:
            return country
    return None


def clock_start(detainer: Detainer) -> datetime | None:
    """When the consular clock starts (R5.5): the booking time, else the detainer's receipt (aware UTC)."""
    return detainer.booked_at or detainer.received_at


#: The fields ``consular_derive`` reads: a save that changes one of them derives the duty again.
DERIVED_FROM = ("consular_nationality", "subject_country_of_citizenship", "booked_at", "received_at")


def known_nationality(detainer: Detainer) -> str:
    """The nationality the agency knows (R5.4 step 1), "" when none (or only a U.S. one).

    The one recorded in the consular section (``consular_nationality``), else the detainer's
    country of citizenship (``subject_country_of_citizenship``, ISO code as on the I-247A). Pure.
    """
    nationality = detainer.consular_nationality or detainer.subject_country_of_citizenship or ""
    return "" if is_us_nationality(nationality) else nationality


def consular_derive(detainer: Detainer) -> None:
    """Set ``consular_mandatory`` and ``consular_country_list`` from ``known_nationality`` (in memory).

    The list is the one in effect on the agency-local date of ``clock_start`` (R5.6). With no
    known nationality (or a U.S. one: a citizenship claim, not a consular case), both are None
    and no consular duty is outstanding. Called by ``consular_record`` and by the detainer's
    services on every create and on an update that changes one of ``DERIVED_FROM``. Two
    queries (the list and its countries) when a nationality is known, none otherwise.

    Source: DOMAIN.md R5.4 (State Dept CNA manual: without better information, the country of
    the passport; a mandatory country is notified whatever the person wants), R5.6.
    """
    nationality = known_nationality(detainer)
    start = clock_start(detainer)
    if not nationality:
        detainer.consular_country_list = None
        detainer.consular_mandatory = None
        return
    country_list = country_list_at(timezone.localdate(start, timezone=detainer.agency.zone)) if start else None
    detainer.consular_country_list = country_list
    detainer.consular_mandatory = mandatory_country(nationality, country_list) is not None


# --- The duty and its timing -------------------------------------------------------------------------------------


def outstanding_q() -> Q:
    """Detainers with a consular duty not yet done (stored fields only, so the sweep filters in SQL).

    Mandatory country → consulate not yet notified; otherwise → the person not
    yet advised, or they asked and the consulate is not yet notified (R5.4).
    """
    return consular_duty_outstanding_q()


def duty_outstanding(detainer: Detainer) -> str | None:
    """What is still to do (a sentence), or None when nothing is (R5.4).

    A duty exists once a nationality is known (``consular_mandatory`` derived, ``consular_derive``).
    """
    if detainer.consular_mandatory is None:
        return None
    if detainer.consular_mandatory:
        if detainer.consular_notified_at is None:
            return "Mandatory-notification country: notify the consulate, whatever the person wants."
        return None
    if detainer.consular_advised_of_right_at is None:
        return "Tell the person without delay that their consulate may be notified, and record their answer."
    if detainer.consular_requested and detainer.consular_notified_at is None:
        return "The person asked: notify the consulate without delay."
    return None


@dataclass(frozen=True)
class ConsularStatus:
    state: str  # "not_recorded" | "done" | "due" | "warning" | "overdue"
    todo: str | None
    warn_at: datetime | None
    finding_at: datetime | None


def warn_after() -> timedelta:
    return timedelta(hours=settings.CONSULAR_NOTIFICATION_WARN_HOURS)


def finding_after() -> timedelta:
    return timedelta(hours=settings.CONSULAR_NOTIFICATION_FINDING_HOURS)


def consular_status(detainer: Detainer, *, now: datetime | None = None) -> ConsularStatus:
    """Where the consular duty stands at ``now`` (aware; default now), for the record page and checks.

    ``warning`` from ``clock_start + 24 h`` (inclusive), ``overdue`` from
    ``clock_start + 72 h`` (inclusive) while a duty is outstanding (R5.5 [U]).
    """
    now = now or timezone.now()
    start = clock_start(detainer)
    warn_at = start + warn_after() if start else None
    finding_at = start + finding_after() if start else None
    if not known_nationality(detainer):
        return ConsularStatus("not_recorded", "Determine the nationality (R5.4 step 1).", warn_at, finding_at)
    todo = duty_outstanding(detainer)
    if todo is None:
        return ConsularStatus("done", None, warn_at, finding_at)
    if finding_at is not None and now >= finding_at:
        return ConsularStatus("overdue", todo, warn_at, finding_at)
    if warn_at is not None and now >= warn_at:
        return ConsularStatus("warning", todo, warn_at, finding_at)
    return ConsularStatus("due", todo, warn_at, finding_at)


def notify_duty_q() -> Q:
    """Detainers whose consulate must be notified (R5.4): a mandatory-notification country, or the person asked.

    Stored fields only (``consular_mandatory`` is derived by ``consular_derive``), for aggregate counts.
    """
    return Q(consular_mandatory=True) | Q(consular_mandatory=False, consular_requested=True)


def notified_on_time_q() -> Q:
    """The consulate was notified before the finding time: ``consular_notified_at < clock_start + 72 h`` (R5.5 [U]).

    The SQL twin of ``consular_status``: a duty still outstanding at ``clock_start + finding_after()`` is
    "overdue" from that instant (inclusive), so a notification is on time only strictly before it. Combine
    with ``notify_duty_q``; a detainer not yet notified matches neither this nor ``notified_late_q``.
    """
    deadline = ExpressionWrapper(Coalesce("booked_at", "received_at") + finding_after(), output_field=DateTimeField())
    return Q(consular_notified_at__isnull=False, consular_notified_at__lt=deadline)


def notified_late_q() -> Q:
    """The consulate was notified at or after the finding time (``notified_on_time_q``'s complement among notified)."""
    deadline = ExpressionWrapper(Coalesce("booked_at", "received_at") + finding_after(), output_field=DateTimeField())
    return Q(consular_notified_at__isnull=False, consular_notified_at__gte=deadline)


# --- Writes ----------------------------------------------------------------------------------------------------


def consular_record(
    *,
    detainer: Detainer,
    actor,
    nationality: str,
    advised_of_right_at: datetime | None = None,
    requested: bool | None = None,
    notified_at: datetime | None = None,
    method: str = "",
    officer=None,
) -> Detainer:
    """Record the consular-notification steps; ``consular_mandatory`` is derived, never typed (R5.4, R5.6).

    Args:
        detainer: permission-checked by the caller (``change_records``).
        nationality: country name or ISO code (the passport's country without better information).
        advised_of_right_at, notified_at: aware datetimes (UTC stored), not in the future.
        requested: the person's answer (None: not asked yet).
        method: a ``ConsularMethod`` value, required with ``notified_at``.
        officer: a ``training.Officer`` of the agency, required with ``notified_at``.

    Returns:
        The saved detainer. ``consular_mandatory`` and ``consular_country_list`` come from the
        list in effect on the local date of the booking (``clock_start``), for ``nationality``,
        or, when it is blank, for the detainer's country of citizenship (``consular_derive``).

    Raises:
        ValidationError: per field: U.S. nationality, answer without advice, notification
            without method or officer, officer of another agency, future times.
    """
    nationality = " ".join(nationality.split())
    now = timezone.now()
    errors: dict[str, str] = {}
    if nationality and is_us_nationality(nationality):
        errors["nationality"] = US_NATIONALITY_MESSAGE
    known = nationality or known_nationality(detainer)
    if not known and (advised_of_right_at or requested is not None or notified_at):
        errors["nationality"] = NATIONALITY_FIRST_MESSAGE
    for name, value in (("advised_of_right_at", advised_of_right_at), ("notified_at", notified_at)):
        if value is not None and value > now:
            errors[name] = FUTURE_MESSAGE
    if requested is not None and advised_of_right_at is None:
        errors["requested"] = ADVICE_FIRST_MESSAGE
    if notified_at is not None:
        if not method:
            errors["method"] = METHOD_REQUIRED_MESSAGE
        if officer is None:
            errors["officer"] = OFFICER_REQUIRED_MESSAGE
    if officer is not None and officer.agency_id != detainer.agency_id:
        errors["officer"] = OFFICER_AGENCY_MESSAGE
    if errors:
        raise ValidationError(errors)

    with transaction.atomic(), acting_as(actor, reason="Consular notification record (R5.4)"):
        locked = Detainer.objects.select_for_update(of=("self",)).select_related("agency").get(pk=detainer.pk)
        locked.consular_nationality = nationality
        consular_derive(locked)
        locked.consular_advised_of_right_at = advised_of_right_at
        locked.consular_requested = requested
        locked.consular_notified_at = notified_at
        locked.consular_method = method if notified_at else ""
        locked.consular_officer = officer if notified_at else None
        locked.save()
    return locked


# --- The sweep -------------------------------------------------------------------------------------------------


#: A detainer whose custody has ended stays in the sweep's view until its finding time plus this grace
#: (default 72 h + 4 days = 7 days after the clock start): room for a sweep stopped over a long weekend.
RELEASED_GRACE = timedelta(days=4)


def released_window_start(now: datetime) -> datetime:
    """The earliest clock start (aware UTC) of an ended-custody detainer the sweep still looks at.

    ``now - CONSULAR_NOTIFICATION_FINDING_HOURS - RELEASED_GRACE`` (inclusive): with the defaults,
    7 days before ``now``. Tied to the finding hours so that a longer finding time in settings never
    puts the finding time outside the window.
    """
    return now - finding_after() - RELEASED_GRACE


def sweep_consular_notifications(*, now: datetime | None = None) -> dict:
    """Warn supervisors at 24 h and open one finding at 72 h for an outstanding consular duty (R5.5 [U]).

    Args:
        now: aware "current" instant (tests); defaults to ``timezone.now()``.

    Returns:
        Counts only: ``{"warnings_sent", "warnings_without_recipient", "findings_opened"}``.

    Which detainers (R5.4–R5.5: the duty runs from arrest/booking, whether or not the
    person is still held):

    * **open** (outcome pending): warned once from ``clock_start + 24 h``; one finding
      from ``clock_start + 72 h`` (both inclusive), however long the person is held;
    * **custody ended** (released, transferred, lifted) with the duty still outstanding:
      the finding still opens at 72 h, since the duty was violated whatever happened to
      the person. The warning goes only while the notification can still be made in time
      (``24 h <= elapsed < 72 h``); past 72 h the finding says it instead. These rows are
      looked at only while their clock started at or after ``released_window_start(now)``
      (default: the last 7 days), so the sweep does not rescan the whole log every run;
      the partial index ``detainer_consular_due_idx`` (outstanding duties, keyed by the
      clock) serves that range. A duty recorded, or a sweep resumed, more than 4 days
      after the finding time of a released person is out of this sweep's view.

    A finding already opened stays as it is: a late notification (say at 80 h) never
    closes it; a supervisor resolves it (``compliance.core.findings``).

    Idempotent, safe in two workers at once: a warning once per detainer
    (``consular_warned_at``), a finding once per detainer (unique per record and
    kind, so a resolved or reopened finding is never duplicated); each row in its own
    transaction, locked with ``skip_locked``. Queries: four to list due rows and one
    for the supervisors, then a constant number per due row. Changes attributed to
    ``system_user()``; e-mails carry a link only.
    """
    from incidents.detainers.selectors import agency_supervisor_emails

    now = now or timezone.now()
    finding_type = ContentType.objects.get_for_model(Detainer)
    warn_cut, finding_cut = now - warn_after(), now - finding_after()
    due = (
        Detainer.objects.filter(outstanding_q())
        .annotate(consular_clock=Coalesce("booked_at", "received_at"))
        .order_by()  # no sort needed: each row is handled on its own (SQLite EXPLAIN: a range search of the index)
    )
    held = due.filter(outcome=Detainer.Outcome.PENDING)
    ended = due.exclude(outcome=Detainer.Outcome.PENDING).filter(consular_clock__gte=released_window_start(now))
    unwarned = {"consular_clock__lte": warn_cut, "consular_warned_at__isnull": True}
    to_warn = list(held.filter(**unwarned).values_list("pk", "agency_id"))
    to_warn += list(ended.filter(consular_clock__gt=finding_cut, **unwarned).values_list("pk", "agency_id"))
    already = Finding.objects.filter(
        content_type=finding_type, object_id=OuterRef("pk"), kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE
    )
    overdue = []
    for rows in (held, ended):
        overdue += list(
            rows.filter(consular_clock__lte=finding_cut).exclude(Exists(already)).values_list("pk", "agency_id")
        )
    result = {"warnings_sent": 0, "warnings_without_recipient": 0, "findings_opened": 0}
    if not to_warn and not overdue:
        return result
    recipients = agency_supervisor_emails(agency_id for _, agency_id in to_warn + overdue)
    actor = system_user()
    for pk, agency_id in to_warn:
        sent = _warn(pk, now=now, to=recipients.get(agency_id, []), actor=actor)
        if sent is True:
            result["warnings_sent"] += 1
        elif sent is False:
            result["warnings_without_recipient"] += 1
    for pk, _agency_id in overdue:
        if _open_finding(pk, now=now, actor=actor):
            result["findings_opened"] += 1
    logger.info("Consular-notification sweep: %s", result)
    return result


def _lock_due(pk: int) -> Detainer | None:
    """Detainer ``pk`` locked (skipped if another sweep holds it), or None once its duty is done.

    Open or not: the rows were chosen by ``sweep_consular_notifications``; custody ending
    meanwhile changes nothing about the duty (R5.4).
    """
    return (
        Detainer.objects.filter(outstanding_q(), pk=pk)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("agency")
        .first()
    )


def _warn(pk: int, *, now: datetime, to: list[str], actor) -> bool | None:
    """One warning for detainer ``pk``. True sent, False nobody to tell or too late, None skipped."""
    with transaction.atomic():
        detainer = _lock_due(pk)
        if detainer is None or detainer.consular_warned_at is not None:
            return None
        status = consular_status(detainer, now=now)
        reason = WARN_LATE_REASON
        sent = False
        if status.state == "warning" and to:
            _warning_email(detainer, to=to).send()
            sent, reason = True, WARN_REASON
        detainer.consular_warned_at = now
        with acting_as(actor, reason=reason):
            detainer.save()
    return sent


def _open_finding(pk: int, *, now: datetime, actor) -> bool:
    with transaction.atomic(), acting_as(actor, reason=FINDING_REASON):
        detainer = _lock_due(pk)
        if detainer is None:
            return False
        hours = settings.CONSULAR_NOTIFICATION_FINDING_HOURS
        summary = f"{hours} hours after booking the consular-notification duty is still outstanding: "
        summary += duty_outstanding(detainer) or ""
        if not detainer.is_open:
            summary += f" {ENDED_CUSTODY_NOTE.format(outcome=detainer.get_outcome_display().lower())}"
        _, created = finding_open_once(
            record=detainer,
            kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE,
            severity=Finding.Severity.HIGH,
            rule=RULE,
            summary=summary,
            opened_at=now,
        )
    return created


def _warning_email(detainer: Detainer, *, to: list[str]) -> EmailMessage:
    link = detainer_link(detainer)
    return EmailMessage(
        subject="Consular notification due: a detainer needs action",
        body=(
            f"A consular-notification step is outstanding at {detainer.agency.name}, "
            f"{settings.CONSULAR_NOTIFICATION_WARN_HOURS} hours after booking.\n"
            f"A finding opens at {settings.CONSULAR_NOTIFICATION_FINDING_HOURS} hours (R5.5).\n"
            f"Open the detainer: {link}\n"
        ),
        to=to,
    )
