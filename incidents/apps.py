"""The incidents app: registers each topic's checks into the detainer check list once, at start-up."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Detainers and incidents"

    def ready(self):
        # Each topic adds its checks to incidents.detainers.checks.CHECKS (the lower module never imports them).
        from incidents.actions import checks as action_checks
        from incidents.citizenship import checks as citizenship_checks
        from incidents.citizenship import claim_finding
        from incidents.consular import checks as consular_checks
        from incidents.detainers import finding_guards, release_notice

        # The U.S.-citizenship STOP (R5.1–R5.2), then consular notification (R5.4–R5.5).
        citizenship_checks.register()
        consular_checks.register()
        # R4.6 (notice to DHS before release) and R4.9 (local authority to hold).
        release_notice.register()
        # A passed hold deadline cannot be resolved while the person is still held.
        finding_guards.register()
        # A U.S.-citizenship claim's finding is closed only by the supervisor's recorded resolution (R5.1).
        claim_finding.register()
        # Logged 287(g) actions (R1.6, R1.7, R2.4, R2.7): every action checked, batched per page.
        action_checks.register()
        # The shipped consular country list, loaded again after a database flush (R5.6).
        from incidents.consular.shipped_list import shipped_list_ensure

        post_migrate.connect(shipped_list_ensure, sender=self)
