"""The retention purge (SECURITY.md G3, D7; issue #14 item 3): expired personal data removed in every copy.

Nightly, per agency and local day (``compliance.tasks.retention_purge_task`` through
``compliance.core.local_day_jobs``), each step takes the agency's period for its schedule
(``compliance.core.privacy.schedules``), finds what is due, skips what is under legal hold
(``compliance.core.privacy.holds``: counted as "held") and removes or irreversibly anonymises the rest:

* the main row: the inventory's erasable personal fields (``compliance.core.privacy.inventory``) blanked and
  saved with history by the system account, reason "retention purge" (the new history row holds only blanks);
* every earlier history row of that record: the same columns blanked through
  ``compliance.core.append_only.rewriting(..., purpose="retention purge")``, the one path allowed to rewrite them;
* files (case attachments, generated reports and their parts, uploaded import files): deleted from storage,
  the row kept with its non-personal facts (dates, sizes, checksums) and marked purged (``PurgedRecord``);
* complainant contacts, notifications: rows deleted; sent e-mail bodies blanked;
* the access log, account events and django-axes' sign-in log: rows older than the agency's period, which is
  never under 365 days (``AUDIT_MINIMUM_DAYS``, D7), deleted;
* ended sessions and allauth's session list (addresses, browsers) of sessions that no longer exist.

Non-personal facts stay (dates, outcomes, offense levels, checks, findings, counts), so the dashboard and the
transparency figures are the same before and after. Each step writes one ``RetentionPurge`` row: kind, count,
held, the schedule and its period, who configured it and when — never the data. Work goes in batches of
``BATCH`` records, one transaction each: a crash loses at most the batch in flight, which the next run redoes
(every step is idempotent: a purged record is marked and never selected again).

Not copies we hold: Celery has no result backend here (``CELERY_RESULT_BACKEND = None``) and tasks carry ids
only; the dashboard and transparency caches hold aggregate figures only; exports (CSV/XLSX) are streamed to the
browser and never stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.usersessions.models import UserSession
from axes.models import AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from compliance.core.append_only import rewriting
from compliance.core.audit import acting_as
from compliance.core.models import (
    AUDIT_MINIMUM_DAYS,
    AccessLog,
    AccountEvent,
    Agency,
    OutboundMail,
    PurgedRecord,
    Report,
    ReportPart,
    RetentionPurge,
    RetentionSettings,
    Schedule,
)
from compliance.core.privacy.holds import held_ids
from compliance.core.privacy.inventory import personal_fields
from compliance.core.privacy.schedules import retention_settings_by_agency
from compliance.core.system_account import system_user
from incidents.case_files.models import CaseAttachment
from incidents.complaints.models import ComplaintContact
from incidents.detainer_import.models import DetainerImport
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Allegation, CaseEvent, Incident
from incidents.models import DetainerAction, Referral
from training.imports.models import PendingImport
from training.models import Notification, ReminderDigest

logger = logging.getLogger(__name__)

#: Records per transaction (our figure: a batch of detainers is about a second of work).
BATCH = 200
#: The history-change reason of the purge's own history rows.
REASON = "retention purge"
#: What a purged case's title says (the title may name people; the case itself stays a fact).
PURGED_TITLE = "[removed at the end of retention]"


@dataclass
class Count:
    purged: int = 0
    held: int = 0


def _blank(model, names: Iterable[str]) -> dict:
    """``{field: blank}`` for ``names`` that exist on ``model``: None where the column allows it, else ""."""
    values = {}
    concrete = {f.name: f for f in model._meta.concrete_fields}
    for name in names:
        field = concrete.get(name)
        if field is None:
            continue
        if isinstance(field, models.FileField):
            values[name] = ""
        elif field.null:
            values[name] = None
        elif isinstance(field, models.JSONField):
            values[name] = field.get_default()
        else:
            values[name] = ""
    return values


def _history_blank(model, ids: list[int], names: Iterable[str]) -> int:
    """Blank ``names`` on every history row of the ``model`` records ``ids`` (append-only: through ``rewriting``)."""
    history = getattr(model, "history", None)
    if history is None or not ids:
        return 0
    history_model = history.model
    values = _blank(history_model, names)
    if not values:
        return 0
    with rewriting(history_model, purpose="retention purge"):
        return history_model.objects.filter(id__in=ids).update(**values)


def _anonymise(records: list, names: list[str]) -> None:
    """Blank ``names`` on each record (saved with history by the system account) and on all its history rows."""
    if not records:
        return
    model = type(records[0])
    values = _blank(model, names)
    for record in records:
        for name, value in values.items():
            setattr(record, name, value)
        record.save()
    _history_blank(model, [r.pk for r in records], names)


def _mark(model, ids: Iterable[int], schedule: str, now: datetime) -> None:
    content_type = ContentType.objects.get_for_model(model)
    PurgedRecord.objects.bulk_create(
        [PurgedRecord(content_type=content_type, object_id=pk, schedule=schedule, purged_at=now) for pk in ids],
        ignore_conflicts=True,
    )


def _unmarked(queryset, schedule: str):
    content_type = ContentType.objects.get_for_model(queryset.model)
    done = PurgedRecord.objects.filter(content_type=content_type, schedule=schedule).values("object_id")
    return queryset.exclude(pk__in=done)


def _batches(queryset, held: set[int], count: Count, work: Callable[[list], None], dry_run: bool = False) -> None:
    """Run ``work`` on the due records of ``queryset`` not in ``held``, ``BATCH`` at a time, one transaction each
    (``dry_run``: only count them; nothing is written)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    count.held += sum(1 for pk in ids if pk in held)
    due = [pk for pk in ids if pk not in held]
    if dry_run:
        count.purged += len(due)
        return
    for start in range(0, len(due), BATCH):
        chunk = due[start : start + BATCH]
        with transaction.atomic():
            # Locked: a clerk saving the same record mid-purge waits, then saves over the blanks knowingly.
            records = list(queryset.model.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
            work(records)
        count.purged += len(records)


# --- the steps: each takes the agency's settings and the cutoff, returns a Count ---------------------------


def purge_detainer_subjects(
    settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False
) -> Count:
    """Detainers whose custody ended (``outcome_at``) before ``cutoff``: subject identity and free text erased,
    here, in the history and in their 287(g) actions' notes; the facts (dates, outcome, checks) kept."""
    count = Count()
    due = _unmarked(
        Detainer.objects.filter(agency_id=settings.agency_id, outcome_at__lt=cutoff), Schedule.DETAINER_SUBJECT
    )
    held = held_ids(agency_id=settings.agency_id, model=Detainer, candidates=due)
    names = personal_fields("incidents.Detainer", schedule=Schedule.DETAINER_SUBJECT)
    action_names = personal_fields("incidents.DetainerAction", schedule=Schedule.DETAINER_SUBJECT)

    def work(records):
        _anonymise(records, names)
        _anonymise(list(DetainerAction.objects.filter(detainer__in=records)), action_names)
        _history_blank(
            DetainerAction,
            list(DetainerAction.history.filter(detainer_id__in=[r.pk for r in records]).values_list("id", flat=True)),
            action_names,
        )
        _mark(Detainer, [r.pk for r in records], Schedule.DETAINER_SUBJECT, now)

    _batches(due, held, count, work, dry_run)
    count.purged += _purge_deleted_history(Detainer, settings.agency_id, cutoff, names, dry_run)
    return count


def _purge_deleted_history(model, agency_id: int, cutoff: datetime, names: list[str], dry_run: bool = False) -> int:
    """History rows of ``model`` records deleted before ``cutoff`` (simple-history keeps them with every field):
    ``names`` blanked (``dry_run``: only counted). Returns how many deleted records were handled (re-blanked on
    every run: there are few)."""
    history = model.history.model
    ids = list(
        history.objects.filter(agency_id=agency_id, history_type="-", history_date__lt=cutoff)
        .exclude(id__in=model._base_manager.values("pk"))
        .values_list("id", flat=True)
        .distinct()
    )
    if dry_run:
        return len(ids)
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            _history_blank(model, ids[start : start + BATCH], names)
    return len(ids)


def _closed_cases(settings: RetentionSettings, cutoff: datetime, schedule: str):
    cases = Incident.objects.filter(agency_id=settings.agency_id, status=Incident.Status.CLOSED, closed_at__lt=cutoff)
    return _unmarked(cases, schedule)


def purge_case_narratives(settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False) -> Count:
    """Cases closed before ``cutoff``: the complainant's contact deleted, the narratives, allegations' text,
    responses and timeline notes erased (here and in the history); kind, dates, dispositions kept."""
    count = Count()
    due = _closed_cases(settings, cutoff, Schedule.COMPLAINT)
    held = held_ids(agency_id=settings.agency_id, model=Incident)
    names = personal_fields("incidents.Incident", schedule=Schedule.COMPLAINT)

    def work(records):
        ids = [r.pk for r in records]
        ComplaintContact.objects.filter(incident_id__in=ids).delete()
        _anonymise(records, [n for n in names if n != "title"])
        for record in records:
            record.title = PURGED_TITLE
            record.save()
        _history_blank(Incident, ids, names)
        for model, label in ((Allegation, "incidents.Allegation"), (Referral, "incidents.Referral")):
            fields = personal_fields(label, schedule=Schedule.COMPLAINT)
            rows = list(model.objects.filter(incident_id__in=ids))
            _anonymise(rows, fields)
            _history_blank(model, list(model.history.filter(incident_id__in=ids).values_list("id", flat=True)), fields)
        # The timeline is append-only (no history of its own): its notes are blanked in place.
        with rewriting(CaseEvent, purpose="retention purge"):
            CaseEvent.objects.filter(incident_id__in=ids).exclude(text="").update(text="")
        _mark(Incident, ids, Schedule.COMPLAINT, now)

    _batches(due, held, count, work, dry_run)
    count.purged += _purge_deleted_history(Incident, settings.agency_id, cutoff, names, dry_run)
    return count


def _delete_files(rows, *names: str) -> None:
    for row in rows:
        for name in names:
            stored = getattr(row, name)
            if stored:
                stored.delete(save=False)


def purge_case_attachments(
    settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False
) -> Count:
    """Attachments of cases closed before ``cutoff``: files deleted from storage, name erased, row kept."""
    count = Count()
    due = _closed_cases(settings, cutoff, Schedule.CASE_ATTACHMENT)
    held = held_ids(agency_id=settings.agency_id, model=Incident)

    def work(records):
        ids = [r.pk for r in records]
        attachments = list(CaseAttachment.objects.filter(incident_id__in=ids))
        _delete_files(attachments, "file")
        for attachment in attachments:
            attachment.file = ""
            attachment.file_name = ""
            attachment.save(update_fields=["file", "file_name"])
        _mark(Incident, ids, Schedule.CASE_ATTACHMENT, now)

    _batches(due, held, count, work, dry_run)
    return count


def purge_report_files(settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False) -> Count:
    """Reports finished before ``cutoff``: the PDF and its parts deleted, the plan and error emptied; the row
    (kind, period, who asked, SHA-256, pages) kept and marked purged."""
    count = Count()
    due = _unmarked(Report.objects.filter(agency_id=settings.agency_id, finished_at__lt=cutoff), Schedule.REPORT)

    def work(records):
        parts = list(ReportPart.objects.filter(report__in=records))
        _delete_files(parts, "file")
        ReportPart.objects.filter(pk__in=[p.pk for p in parts]).update(file="")
        _delete_files(records, "file")
        for report in records:
            report.file = ""
            report.plan = []
            report.error = ""
            report.save(update_fields=["file", "plan", "error"])
        _mark(Report, [r.pk for r in records], Schedule.REPORT, now)

    _batches(due, set(), count, work, dry_run)
    return count


def purge_import_files(settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False) -> Count:
    """Uploaded import files (roster, detainer events) older than ``cutoff``: file deleted, its name erased
    (in the history too); the row (who, when, counts, SHA-256) kept."""
    count = Count()
    for model in (PendingImport, DetainerImport):
        due = _unmarked(model.objects.filter(agency_id=settings.agency_id, created_at__lt=cutoff), Schedule.IMPORT_FILE)

        def work(records, model=model):
            _delete_files(records, "file")
            _anonymise(records, ["file", "file_name"])
            _mark(model, [r.pk for r in records], Schedule.IMPORT_FILE, now)

        _batches(due, set(), count, work, dry_run)
    return count


def purge_notifications(settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False) -> Count:
    """In-app notifications older than ``cutoff`` deleted; the reminder digests' and reminders' addresses erased."""
    count = Count()
    old = Notification.objects.filter(agency_id=settings.agency_id, created_at__lt=cutoff)
    digests = ReminderDigest.objects.filter(sent_at__lt=cutoff, recipient__home_agency_id=settings.agency_id).exclude(
        recipient_email=""
    )
    if dry_run:
        count.purged += old.count() + digests.count()
        return count
    count.purged += old.delete()[0]
    count.purged += digests.update(recipient_email="")
    return count


def _audit_cutoff(settings: RetentionSettings, now: datetime) -> datetime:
    # D7: whatever the row says, never less than a year.
    return now - timedelta(days=max(settings.audit_log_days, AUDIT_MINIMUM_DAYS))


def purge_audit_log(settings: RetentionSettings, cutoff: datetime, now: datetime, dry_run: bool = False) -> Count:
    """The agency's access-log rows and account events older than its period (never under 365 days) deleted."""
    count = Count()
    cutoff = _audit_cutoff(settings, now)
    # D7: who saw a record under legal hold is evidence too: those access-log rows are kept while it is held.
    due = AccessLog.objects.filter(agency_id=settings.agency_id, at__lt=cutoff)
    for model in (Detainer, Incident):
        held = held_ids(agency_id=settings.agency_id, model=model)
        if held:
            of_held = due.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=held)
            count.held += of_held.count()
            due = due.exclude(pk__in=of_held.values("pk"))
    events = AccountEvent.objects.filter(agency_id=settings.agency_id, at__lt=cutoff)
    if dry_run:
        count.purged += due.count() + events.count()
        return count
    count.purged += _delete_in_batches(due)
    count.purged += _delete_in_batches(events)
    return count


def _delete_in_batches(queryset) -> int:
    model = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        with transaction.atomic(), rewriting(model, purpose="retention purge"):
            deleted += model.objects.filter(pk__in=ids).delete()[0]


#: The per-agency steps: (kind, schedule, step). A step called with ``dry_run=True`` selects exactly what it would
#: purge (the same queries, legal holds skipped) and only counts it.
AGENCY_STEPS: tuple[tuple[str, str, Callable[..., Count]], ...] = (
    ("detainer-subject", Schedule.DETAINER_SUBJECT, purge_detainer_subjects),
    ("case-narrative", Schedule.COMPLAINT, purge_case_narratives),
    ("case-attachment", Schedule.CASE_ATTACHMENT, purge_case_attachments),
    ("report-file", Schedule.REPORT, purge_report_files),
    ("import-file", Schedule.IMPORT_FILE, purge_import_files),
    ("notification", Schedule.NOTIFICATION, purge_notifications),
    ("audit-log", Schedule.AUDIT_LOG, purge_audit_log),
)


#: kind → (what the step removes, for tables; the noun its count reads with: "the personal data of 5 …").
KIND_LABELS: dict[str, tuple[str, str]] = {
    "detainer-subject": ("Detainer subjects' personal data", "detainer subjects"),
    "case-narrative": ("Case narratives and complainant contacts", "closed cases (narratives and contacts)"),
    "case-attachment": ("Case attachments", "closed cases' attachments"),
    "report-file": ("Generated reports' PDFs", "generated reports' PDFs"),
    "import-file": ("Uploaded import files", "uploaded import files"),
    "notification": ("Notifications and reminder addresses", "notifications and reminder addresses"),
    "audit-log": ("Access log and account events", "access-log rows and account events"),
    "session": ("Ended sessions", "ended sessions"),
    "outbound-mail": ("Sent e-mail bodies", "sent e-mails"),
    "sign-in-log": ("Sign-in log", "sign-in log rows"),
}


def kind_label(kind: str) -> str:
    """What a purge step of ``kind`` (``RetentionPurge.kind``) removes, in words (the kind itself if unknown)."""
    return KIND_LABELS.get(kind, (kind, kind))[0]


def _period(settings: RetentionSettings, schedule: str, now: datetime) -> tuple[int, datetime]:
    """The period in days for ``schedule`` (the audit log never under 365, D7) and the cutoff it gives at ``now``."""
    days = settings.days(schedule)
    if schedule == Schedule.AUDIT_LOG:
        days = max(days, AUDIT_MINIMUM_DAYS)
    return days, now - timedelta(days=days)


@dataclass
class Due:
    """What the next purge step of ``kind`` would do for one agency: ``purged`` records, ``held`` kept."""

    kind: str
    schedule: str
    days: int
    purged: int
    held: int

    @property
    def label(self) -> str:
        return kind_label(self.kind)

    @property
    def noun(self) -> str:
        return KIND_LABELS.get(self.kind, (self.kind, self.kind))[1]


def retention_due(settings: RetentionSettings, now: datetime | None = None) -> list[Due]:
    """The dry run of one agency's purge: per step, how many records it would purge at ``now`` (aware; default
    the current time) under ``settings`` (saved, or unsaved with proposed periods), and how many are held.

    The same step functions as the purge (``AGENCY_STEPS`` with ``dry_run=True``): one set of rules. Writes
    nothing. About two queries per step.
    """
    now = now or timezone.now()
    result = []
    for kind, schedule, step in AGENCY_STEPS:
        days, cutoff = _period(settings, schedule, now)
        count = step(settings, cutoff, now, dry_run=True)
        result.append(Due(kind=kind, schedule=schedule, days=days, purged=count.purged, held=count.held))
    return result


def _audit_row(*, agency_id, kind, schedule, days, settings, cutoff, count, started, now) -> RetentionPurge:
    return RetentionPurge.objects.create(
        agency_id=agency_id,
        kind=kind,
        schedule=schedule,
        period_days=days,
        cutoff=cutoff,
        configured_by=settings.confirmed_by if settings else None,
        configured_at=settings.confirmed_at if settings else None,
        purged=count.purged,
        held=count.held,
        started_at=started,
        finished_at=max(timezone.now(), started),
    )


def retention_purge_agencies(agency_ids: Iterable[int], now: datetime | None = None) -> list[RetentionPurge]:
    """Run every per-agency step for ``agency_ids`` at instant ``now`` (aware; default: the current time).

    Returns:
        The ``RetentionPurge`` rows written, one per agency and step (a step with nothing due writes a row with
        0: the run is recorded either way).
    """
    now = now or timezone.now()
    rows = []
    with acting_as(system_user(), reason=REASON):
        for agency_id, settings in sorted(retention_settings_by_agency(agency_ids).items()):
            for kind, schedule, step in AGENCY_STEPS:
                days, cutoff = _period(settings, schedule, now)
                started = timezone.now()
                count = step(settings, cutoff, now)
                rows.append(
                    _audit_row(
                        agency_id=agency_id,
                        kind=kind,
                        schedule=schedule,
                        days=days,
                        settings=settings,
                        cutoff=cutoff,
                        count=count,
                        started=started,
                        now=now,
                    )
                )
    return rows


def _longest(field: str, floor: int = 0) -> int:
    """The longest period any agency set for ``field`` (defaults for agencies without a row): for data that
    belongs to no one agency, kept until every agency's period has passed."""
    set_days = RetentionSettings.objects.aggregate(longest=Max(field))["longest"] or 0
    default = RetentionSettings._meta.get_field(field).default
    if Agency.objects.exclude(retention_settings__isnull=False).exists():
        set_days = max(set_days, default)
    return max(set_days or default, floor)


def retention_purge_shared(now: datetime | None = None) -> list[RetentionPurge]:
    """The copies that belong to no one agency: ended sessions, allauth's session list, sent e-mail bodies,
    sign-in events without an agency and django-axes' sign-in log (each by the longest period any agency set).

    Returns:
        The ``RetentionPurge`` rows written (agency blank).
    """
    now = now or timezone.now()
    rows = []

    def record(kind, schedule, days, cutoff, count, started):
        rows.append(
            _audit_row(
                agency_id=None,
                kind=kind,
                schedule=schedule,
                days=days,
                settings=None,
                cutoff=cutoff,
                count=count,
                started=started,
                now=now,
            )
        )

    started = timezone.now()
    days = _longest("session_days")
    cutoff = now - timedelta(days=days)
    count = Count(purged=_delete_in_batches(Session.objects.filter(expire_date__lt=cutoff)))
    live = Session.objects.values("session_key")
    count.purged += _delete_in_batches(UserSession.objects.exclude(session_key__in=live))
    record("session", Schedule.SESSION, days, cutoff, count, started)

    started = timezone.now()
    days = _longest("notification_days")
    cutoff = now - timedelta(days=days)
    mails = OutboundMail.objects.filter(created_at__lt=cutoff).exclude(body="", subject="", to="")
    count = Count(purged=mails.update(**_blank(OutboundMail, ["subject", "body", "to", "error"])))
    record("outbound-mail", Schedule.NOTIFICATION, days, cutoff, count, started)

    started = timezone.now()
    days = _longest("audit_log_days", AUDIT_MINIMUM_DAYS)
    cutoff = now - timedelta(days=days)
    count = Count()
    count.purged += _delete_in_batches(AccessLog.objects.filter(agency__isnull=True, at__lt=cutoff))
    count.purged += _delete_in_batches(AccountEvent.objects.filter(agency__isnull=True, at__lt=cutoff))
    count.purged += _delete_in_batches(AxesAccessLog.objects.filter(attempt_time__lt=cutoff))
    count.purged += _delete_in_batches(AccessFailureLog.objects.filter(attempt_time__lt=cutoff))
    record("sign-in-log", Schedule.AUDIT_LOG, days, cutoff, count, started)
    return rows


def retention_purge(*, agency_ids: Iterable[int] | None = None, now: datetime | None = None) -> list[RetentionPurge]:
    """The whole purge at ``now``: every agency's steps (``agency_ids``; default: every agency), then the shared
    copies. Idempotent: a second run at the same instant purges 0. Used by tests and ``run_jobs``; beat runs
    ``retention_purge_agencies`` per local day and ``retention_purge_shared`` once a night."""
    now = now or timezone.now()
    ids = list(agency_ids) if agency_ids is not None else list(Agency.objects.values_list("pk", flat=True))
    return retention_purge_agencies(ids, now) + retention_purge_shared(now)
