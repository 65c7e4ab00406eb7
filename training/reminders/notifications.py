"""In-app notifications: reads for the page and the header badge, and marking them read.

A user sees only their own notifications, and only in agencies where they still
hold ``view_records`` (a user moved out of an agency stops seeing its notices).
Notifications are not audited records (no history), so marking them read is a
plain update.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from compliance.core import access
from training.reminders.models import Notification


def notifications_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """``user``'s notifications, newest first; paginate the result. One query per page."""
    notifications = access.scope(Notification.objects.filter(recipient=user), user, access.VIEW)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_notification_count(*, user) -> int:
    """How many of ``user``'s notifications are unread (the header badge). One query."""
    return notifications_for_user(user=user, unread_only=True).count()


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of ``actor``'s notifications read (idempotent: a read one keeps its first read time).

    Raises:
        PermissionError: the notification is not ``actor``'s (views find it
            through ``notifications_for_user``, so this is a programming error).
    """
    if notification.recipient_id != actor.pk:
        raise PermissionError("A user marks only their own notifications.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of ``actor`` read; returns how many. One query."""
    return notifications_for_user(user=actor, unread_only=True).update(read_at=timezone.now())
