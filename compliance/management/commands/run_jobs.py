"""``manage.py run_jobs``: run the scheduled jobs once, now.

The same work beat schedules (compliance/celery.py): the roster's stored
training facts, the certification lapses (case H1), the certification expiry
reminders, the 90-day inactive accounts (A8), the hold-deadline, consular-notification and release-notice sweeps, the
case-deadline sweep, the corrective-action reminders (commitment reminders in the same e-mails), the
steering-committee sweep, the report sweep (queued reports handed to the broker again, stuck ones restarted or
failed), the mail-outbox sweep, the webhook sender (due deliveries of feed events), then the retention purge
(expired personal data, legal holds skipped). All are idempotent (e-mail at most once per key; the MOA requirements
check runs before the reminders, whose digest carries its at-risk lines), so running them by hand (after downtime,
after a deploy, or
right after loading demo data) never sends a notice twice. Attributed to the
system account, like scheduled runs. Unlike beat's hourly local-day ticks, this runs every
agency's jobs now, whatever its local hour (each on its own local date).

``--purge-preview`` runs nothing: it prints what the retention purge would remove now, per agency and kind, by
the purge's own selection (``compliance.retention.purge.retention_due``), and writes nothing.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from community.steering_committee.sweep import sweep_steering_committee
from compliance.accounts.inactivity import inactive_accounts_deactivate
from compliance.core.mail_outbox import mail_outbox_flush
from compliance.core.models import Agency
from compliance.core.privacy.schedules import retention_settings_preview
from compliance.integrations.webhooks import webhooks_send_due
from compliance.moa.status import requirements_check_agencies
from compliance.reports.sweep import reports_sweep
from compliance.retention.purge import kind_label, retention_due, retention_purge
from incidents.consular.services import sweep_consular_notifications
from incidents.corrective_actions.reminders import follow_up_reminders_send
from incidents.detainers.release_notice import sweep_release_notices
from incidents.detainers.sweep import sweep_hold_deadlines
from incidents.referrals.deadlines import incident_deadlines_sweep
from training.reminders.services import send_certification_reminders
from training.roster.facts import training_facts_refresh_all
from training.roster.lapses import certifications_record_lapses


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs once: training facts, certification lapses and reminders, hold-deadline and consular "
        "sweeps, case deadlines, corrective-action reminders, the steering-committee sweep, the report sweep, the "
        "mail outbox, then the retention purge (expired personal data removed for good, legal holds kept). "
        "Idempotent. --purge-preview: only say what the retention purge would remove now, and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--purge-preview",
            action="store_true",
            help="Run no job: list, per agency and kind, what the retention purge would remove now (a dry run of "
            "the same selection) and what legal holds keep.",
        )

    def _purge_lines(self, rows, agency_names: dict[int, str]) -> None:
        """One line per agency (and one for the shared copies) naming each kind with something purged or held."""
        by_agency: dict = {}
        for row in rows:
            if row.purged or row.held:
                held = f" ({row.held} kept under legal hold)" if row.held else ""
                by_agency.setdefault(row.agency_id, []).append(f"{row.label} {row.purged}{held}")
        for agency_id, parts in by_agency.items():
            where = agency_names.get(agency_id, "Shared copies (no one agency)")
            self.stdout.write(f"  {where}: {'; '.join(parts)}.")

    def _preview(self) -> None:
        agencies = dict(Agency.objects.order_by("state", "name").values_list("pk", "name"))
        settings = retention_settings_preview(agencies)
        now = timezone.now()
        rows = []
        for agency_id in agencies:
            for due in retention_due(settings[agency_id], now):
                due.agency_id = agency_id
                rows.append(due)
        self.stdout.write(
            f"Retention purge preview (nothing changed): {sum(r.purged for r in rows)} records or files would be "
            f"purged now, {sum(r.held for r in rows)} kept under legal hold."
        )
        self._purge_lines(rows, agencies)

    def handle(self, *args, **options):
        if options["purge_preview"]:
            self._preview()
            return
        inactive = inactive_accounts_deactivate()
        facts = training_facts_refresh_all()
        lapses = certifications_record_lapses()
        # Before the digest, so at-risk requirements reach it (issue #15 item 1).
        requirements = requirements_check_agencies(set(Agency.objects.values_list("pk", flat=True)), timezone.now())
        reminders = send_certification_reminders()
        sweep = sweep_hold_deadlines()
        consular = sweep_consular_notifications()
        notices = sweep_release_notices()
        deadlines = incident_deadlines_sweep()
        action_reminders = follow_up_reminders_send()
        committee = sweep_steering_committee()
        reports = reports_sweep()
        outbox = mail_outbox_flush()
        webhooks = webhooks_send_due()
        # Last: the retention purge of expired personal data (SECURITY.md G3), legal holds skipped.
        purges = retention_purge()
        self.stdout.write(f"Accounts deactivated after 90 days without a sign-in: {inactive}.")
        self.stdout.write(f"Training facts refreshed for {facts} officers.")
        self.stdout.write(f"Certification lapses recorded: {lapses}.")
        self.stdout.write(
            f"MOA requirements checked: {requirements.checked}, {requirements.changed} changed, "
            f"{requirements.notices} told in the digest."
        )
        self.stdout.write(f"Reminders: {reminders}.")
        self.stdout.write(
            f"Hold-deadline sweep: {sweep['alerts_sent']} alerts, {sweep['findings_opened']} findings and "
            f"{sweep['incidents_opened']} incidents opened; {sweep['holds_without_authority']} holds on a form "
            "that cannot authorize one."
        )
        self.stdout.write(
            f"Consular sweep: {consular['warnings_sent']} warnings, {consular['findings_opened']} findings opened."
        )
        self.stdout.write(f"Release-notice sweep (R4.6): {notices['notices_due_sent']} warnings sent.")
        self.stdout.write(
            f"Case deadlines sweep (R3.5): {deadlines['referral_findings']} referral and "
            f"{deadlines['investigation_findings']} investigation findings opened."
        )
        self.stdout.write(
            f"Corrective-action reminders: {action_reminders['reminders']} reminders to "
            f"{action_reminders['recipients']} people ({action_reminders['emails']} by e-mail), "
            f"{action_reminders['failed']} failed."
        )
        self.stdout.write(
            f"Commitment reminders (in the same e-mails): {action_reminders['by_section'].get('Commitments', 0)}."
        )
        self.stdout.write(
            f"Steering-committee sweep (R3.6): {committee['opened']} findings opened, "
            f"{committee['reopened']} reopened, "
            f"{committee['resolved']} resolved; {committee['reminders']} minutes reminders "
            f"({committee['emails']} by e-mail)."
        )
        # broker_down: reports the sweep could not hand over (the broker did not answer); said only when some were.
        unreachable = (
            f" {reports['broker_down']} left queued: the report service's queue (the broker) could not be reached."
            if reports["broker_down"]
            else ""
        )
        self.stdout.write(
            f"Report sweep: {reports['dispatched']} handed to the report service again, {reports['restarted']} "
            f"restarted, {reports['failed']} failed after too many attempts.{unreachable}"
        )
        self.stdout.write(
            f"Webhooks: {webhooks['delivered']} delivered, {webhooks['retrying']} to try again, "
            f"{webhooks['failed']} failed after too many attempts."
        )
        self.stdout.write(
            f"Mail outbox: {outbox['sent']} waiting e-mails sent, {outbox['failed']} still failing, "
            f"{outbox['unconfirmed']} marked unconfirmed (never resent)."
        )
        self.stdout.write(
            f"Retention purge: {sum(p.purged for p in purges)} records or files purged, "
            f"{sum(p.held for p in purges)} kept under legal hold."
        )
        for purge in purges:
            purge.label = kind_label(purge.kind)
        self._purge_lines(purges, dict(Agency.objects.values_list("pk", "name")))
