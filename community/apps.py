from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community outreach"

    def ready(self):
        """Register the commitments' reminders in the daily follow-up reminder run (a list the lower floor owns)."""
        from community.commitments.reminders import SOURCE
        from incidents.corrective_actions.reminders import register_reminder_source

        register_reminder_source(SOURCE)
