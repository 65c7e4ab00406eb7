from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community outreach"

    def ready(self):
        """Register into the lists lower floors own, so those apps never import community.

        The commitments' reminders join the daily follow-up reminder run; the transparency figures' cache is
        made stale by saves of the rows it reads (detainers, cases, officers...); the event's history page
        also lists its participants added and removed and its materials added (issue #12 item 1).
        """
        from community.commitments.reminders import SOURCE
        from community.outreach.history import participant_history_entries
        from community.transparency.cache import connect_invalidation
        from compliance.core.history import RELATED_HISTORY
        from incidents.corrective_actions.reminders import register_reminder_source

        register_reminder_source(SOURCE)
        connect_invalidation()
        RELATED_HISTORY["community.outreachevent"] = participant_history_entries
