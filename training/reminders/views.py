"""Notifications page, marking read, and the reminder settings page (agency administrators).

Notifications: every signed-in user sees their own (``training.reminders.notifications``);
someone else's notification answers 404. Reminder settings: users holding
``administer_agency`` in the agency; anyone else gets 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.core import access
from compliance.core.pages import paginate, with_agency
from training.reminders.forms import ReminderSettingsForm
from training.reminders.notifications import notification_mark_read, notifications_for_user, notifications_mark_all_read
from training.reminders.thresholds import reminder_thresholds, reminder_thresholds_set

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    notifications = notifications_for_user(user=request.user, unread_only=unread_only).select_related("agency")
    page_obj = paginate(request, notifications, per_page=PAGE_SIZE)
    context = {
        "page_obj": page_obj,
        "unread_only": unread_only,
        "can_administer": access.holds_anywhere(request.user, access.ADMINISTER),
        "query_string": urlencode({"show": "unread"}) if unread_only else "",
    }
    return render(request, "training/notifications.html", context)


@login_required
@require_POST
def notification_read(request, public_id):
    notification = get_object_or_404(notifications_for_user(user=request.user), public_id=public_id)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect("training:notification_list")


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("training:notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    agency = access.current_agency(request, access.ADMINISTER)
    if agency is None:
        raise Http404("No agency.")
    current = reminder_thresholds(agency)
    form = ReminderSettingsForm(
        request.POST or None, initial={"reminder_thresholds_days": ", ".join(str(days) for days in current)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            reminder_thresholds_set(
                actor=request.user, agency=agency, thresholds_days=form.cleaned_data["reminder_thresholds_days"]
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("reminder_thresholds_days", exc.messages):
                form.add_error("reminder_thresholds_days", message)
        else:
            messages.success(request, "Reminder thresholds saved; they apply from the next daily run.")
            return redirect(with_agency(reverse("training:reminder_settings"), agency))
    agencies = list(access.agencies_for(request.user, access.ADMINISTER).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "form": form,
        "current": current,
    }
    return render(request, "training/reminder_settings.html", context)
