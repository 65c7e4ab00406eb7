"""The 287(g) actions of a detainer: the table on the detainer page and the page that records one.

Reached only through ``compliance.core.access``: another agency's detainer answers
404; a user who may read it but not change records (an auditor) gets 403 on
the recording page. The page names the subject, so each view is access-logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, access_log_record
from compliance.core.pages import require_change
from incidents.actions import checks as action_checks
from incidents.actions.forms import DetainerActionForm
from incidents.actions.services import detainer_action_record
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import detainer_or_404

RULE_BREAK_MESSAGE = (
    "287(g) action recorded. It broke a rule ({rules}): it was saved as it happened with your explanation, the "
    "failed check is shown below, a finding was opened and the supervisors were told."
)


def detainer_actions_context(detainer: Detainer, *, now) -> dict:
    """What ``incidents/_detainer_actions.html`` shows: the record's own action and every logged one, judged at ``now``.

    Reuses the reviews the legal checks computed for the same instant
    (``action_checks.reviews_for_page``), so the table adds no query when the
    checks ran first; the count never depends on the number of actions.
    """
    return {
        "logged_actions": action_checks.reviews_for_page(detainer, at=now),
        "record_action_shown": bool(detainer.action),
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def detainer_action_create(request, public_id):
    """Record one 287(g) action (``detainer_action_record``); its refusals show next to their field.

    An action that broke a rule is recorded (the service asks for the explanation first) and the
    message says what followed: the failed check, the finding, the supervisors told.
    """
    detainer = detainer_or_404(request.user, public_id, related=("agency", "agreement", "handling_officer"))
    require_change(request.user, detainer.agency)
    form = DetainerActionForm(request.POST or None, detainer=detainer)
    if request.method == "POST" and form.is_valid():
        try:
            action = detainer_action_record(detainer=detainer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if action.recorded_rule_breaks:
                rules = ", ".join(dict.fromkeys(item.rule_ids for item in action.recorded_rule_breaks))
                messages.warning(request, RULE_BREAK_MESSAGE.format(rules=rules))
            else:
                messages.success(request, "287(g) action recorded.")
            return redirect("incidents:detainer_detail", public_id=detainer.public_id)
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    return render(request, "incidents/detainer_action_form.html", {"form": form, "detainer": detainer})
