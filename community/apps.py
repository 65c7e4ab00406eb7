from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community outreach"

    def ready(self):
        """Register into the lists lower floors own, so those apps never import community.

        The commitments' reminders join the daily follow-up reminder run; the transparency figures' cache is
        made stale by saves of the rows it reads (detainers, cases, officers...).
        """
        from community.commitments.reminders import SOURCE
        from community.transparency.cache import connect_invalidation
        from incidents.corrective_actions.reminders import register_reminder_source

        register_reminder_source(SOURCE)
        connect_invalidation()
