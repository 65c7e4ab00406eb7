from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Detainers and incidents"

    def ready(self):
        # Part B (issue 4): add the U.S.-citizenship STOP and consular checks to incidents.checks.CHECKS.
        from incidents import part_b_checks

        part_b_checks.register()
