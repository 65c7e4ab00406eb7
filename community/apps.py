from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community outreach"

    def ready(self):
        # The event's history page also lists its participants added and removed (issue #12 item 1).
        from community.outreach.history import participant_history_entries
        from compliance.core.history import RELATED_HISTORY

        RELATED_HISTORY["community.outreachevent"] = participant_history_entries
