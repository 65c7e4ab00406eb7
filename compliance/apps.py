from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance core"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from compliance import transport  # noqa: F401 (registers the TLS deploy checks, SECURITY.md E1)
        from compliance.accounts import (  # noqa: F401 (connect their receivers)
            lockout,
            other_sessions,
            session_lifetime,
            sign_in_events,
            signals,
        )
        from compliance.core.signals import connect_memo_clear, object_permissions_cleanup
        from compliance.dashboard.cache import connect_invalidation
        from compliance.moa import evaluators_community, evaluators_records, evaluators_training  # noqa: F401
        from compliance.moa.digest import digest_section_register
        from compliance.moa.history import register as requirement_history_register

        # The MOA checklist's evidence evaluators are registered on import (above); its at-risk lines join the
        # daily digest of training.reminders (a lower floor), through the list that floor owns.
        digest_section_register()
        # A requirement's history page lists its documents attached and withdrawn.
        requirement_history_register()

        # The dashboard's cached figures go stale on every change of the rows they are read from.
        connect_invalidation()

        # A request that changes permissions or a user's groups asks "which agencies …" afresh afterwards.
        connect_memo_clear()

        # Every model (case A2): a deleted object leaves no guardian object permissions behind.
        post_delete.connect(object_permissions_cleanup, dispatch_uid="compliance.object_permissions_cleanup")
