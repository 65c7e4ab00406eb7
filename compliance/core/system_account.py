"""The named ``system`` account scheduled jobs and commands act as (history rows need an author)."""

from __future__ import annotations

from django.conf import settings

from compliance.core.models import User


def system_user():
    """The inactive ``system`` account that scheduled jobs act as (created on demand).

    It has no usable password and cannot log in; it exists so that history rows
    written by beat tasks name an author (case H3).
    """
    user, created = User.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "System", "last_name": "account"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
