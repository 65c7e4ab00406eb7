"""Template context for the header's notifications badge (registered in ``compliance/settings.py``)."""

from functools import partial

from training.reminders.notifications import unread_notification_count


def notifications_badge(request):
    """``unread_notification_count``: a callable, so the one query runs only where a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": partial(unread_notification_count, user=user)}
