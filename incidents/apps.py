from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Detainers and incidents"

    def ready(self):
        # Part B (issue 4): add the U.S.-citizenship STOP and consular checks to incidents.checks.CHECKS.
        from incidents import part_b_checks

        part_b_checks.register()
        # R4.6 (notice to DHS before release) and R4.9 (local authority to hold).
        from incidents import release_notice

        release_notice.register()
        # A passed hold deadline cannot be resolved while the person is still held.
        from incidents import finding_guards

        finding_guards.register()
        # Logged 287(g) actions (R1.6, R1.7, R2.4, R2.7): every action checked, batched per page.
        from incidents import action_checks

        action_checks.register()
