from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community outreach"

    def ready(self):
        # The transparency figures' cache is made stale by saves of the rows they read (detainers, cases,
        # officers...): connected from here, so those lower apps never import community.
        from community.transparency.cache import connect_invalidation

        connect_invalidation()
