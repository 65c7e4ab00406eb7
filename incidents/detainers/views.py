"""Detainer pages: the detainer log, logging and editing a detainer, its page, and recording its outcome.

Reached only through ``compliance.core.access`` (another agency's detainer → 404).
Logging, editing and recording the outcome need ``change_records``: a user who
can see the detainer but lacks it gets 403. The detainer page gathers the legal
checks and hold verdict (``incidents.detainers.checks``, ``hold_verdict``), the
citizenship STOP and consular status, and the 287(g) action log. Each page shows
personal data, so each view is access-logged.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, Finding, access_log_per_agency, access_log_record
from compliance.core.pages import change_agencies_or_403, initial_agency, require_change
from compliance.core.throttle import SEARCH, rate_limited
from incidents.actions.views import detainer_actions_context
from incidents.citizenship import services as citizenship
from incidents.consular import services as consular
from incidents.detainer_log.views import (  # the keyset-paged log (incidents.detainer_log)
    detainer_log_context,
    name_search_submit,
)
from incidents.detainers import checks, services
from incidents.detainers.choices import Action, PCBasis
from incidents.detainers.forms import DetainerForm, DetainerOutcomeForm
from incidents.detainers.hold_verdict import hold_verdict
from incidents.detainers.models import Detainer
from incidents.detainers.scope import wso_must_release_by
from incidents.detainers.selectors import detainer_or_404


def stop_and_consular_context(detainer: Detainer, *, now) -> dict:
    """The detainer page's citizenship STOP banner (R5.1), claim-to-resolution time (R5.3), consular status (R5.4)."""
    return {
        "citizenship_stop": citizenship.stop_reason(detainer),
        "citizenship_elapsed": citizenship.duration_text(citizenship.claim_to_resolution(detainer, now=now)),
        "consular_status": consular.consular_status(detainer, now=now),
        "consular_protection_note": consular.PROTECTION_CLAIM_NOTE,
    }


#: Forms rescinded or superseded since 2 Apr 2017 (R4.1); the I-247N never authorized a hold.
LEGACY_FORMS = {Detainer.Form.I247, Detainer.Form.I247D, Detainer.Form.I247X}


# What the detainer pages show of the record: its agency, agreement and handling officer (no query per field).
DETAIL_RELATED = ("agency", "handling_officer", "handling_officer__agency", "agreement")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited(SEARCH, when=lambda request: request.method == "POST")  # a look-up by name or number (F11)
def detainer_list(request):
    """The detainer log: open detainers first by hold deadline, then closed ones newest received first.

    Keyset pages (``?cursor=``, encrypted; see ``incidents.detainer_log.paging``, ``compliance.core.keyset``),
    filters in the query string (``incidents.detainer_log.forms``), ``?agency=`` narrowing; times in each agency's zone.
    POST: a look-up by the subject's name, which never goes into the URL
    (``incidents.detainer_log.views.name_search_submit``); redirects to the log with its token.
    """
    name_form = None
    if request.method == "POST":
        target, name_form = name_search_submit(request)
        if target is not None:
            return redirect(target)
    context = detainer_log_context(request, name_form=name_form)
    rows = context["detainers"]
    # One access-log row per agency shown, so each agency's auditors see it (SECURITY.md D3).
    access_log_per_agency(
        request,
        action=AccessLog.Action.LIST,
        counts=Counter(row.agency for row in rows),
        empty_agency=context["only_agency"],
    )
    context["can_create"] = access.holds_anywhere(request.user, access.CHANGE)
    return render(request, "incidents/detainer_list.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def detainer_create(request):
    agencies = change_agencies_or_403(request.user)
    form = DetainerForm(
        request.POST or None, agencies=agencies, initial={"agency": initial_agency(request.user, agencies)}
    )
    if request.method == "POST" and form.is_valid():
        agency = form.selected_agency()
        fields = {name: value for name, value in form.cleaned_data.items() if name != "agency"}
        try:
            detainer = services.detainer_create(agency=agency, actor=request.user, **fields)
        except ValidationError as error:
            # The same subject has another detainer in STOP (R5.1; incidents.citizenship.subject_stop): next to the
            # field.
            add_service_errors(form, error)
        else:
            _saved_message(request, "Detainer logged.", detainer)
            return redirect("incidents:detainer_detail", public_id=detainer.public_id)
    return render(request, "incidents/detainer_form.html", {"form": form, "detainer": None})


@login_required
@never_cache
def detainer_detail(request, public_id):
    detainer = detainer_or_404(request.user, public_id, related=DETAIL_RELATED)
    return _render_detail(request, detainer, outcome_form=None)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def detainer_edit(request, public_id):
    detainer = detainer_or_404(request.user, public_id, related=DETAIL_RELATED)
    require_change(request.user, detainer.agency)
    # The stored values on POST too: a time saved unchanged keeps its seconds (case H2).
    initial = {name: getattr(detainer, name) for name in services.DETAINER_FIELDS}
    if request.method == "POST":
        form = DetainerForm(request.POST, initial=initial, agencies=[detainer.agency], agency=detainer.agency)
        if form.is_valid():
            try:
                saved = services.detainer_update(detainer=detainer, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                # The 287(g) action set or changed while a U.S.-citizenship STOP is in force (R5.1), or a rule
                # break recorded without its explanation: next to the field, everything typed kept.
                add_service_errors(form, error)
            else:
                _saved_message(request, "Detainer updated.", saved)
                return redirect("incidents:detainer_detail", public_id=detainer.public_id)
    else:
        form = DetainerForm(initial=initial, agencies=[detainer.agency], agency=detainer.agency)
    # The form shows the subject's personal data.
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    return render(request, "incidents/detainer_form.html", {"form": form, "detainer": detainer})


@login_required
@never_cache
@require_POST
def detainer_outcome(request, public_id):
    """Record transferred / released / lifted; errors show on the detail page."""
    detainer = detainer_or_404(request.user, public_id, related=DETAIL_RELATED)
    require_change(request.user, detainer.agency)
    form = DetainerOutcomeForm(request.POST, agency=detainer.agency)
    if form.is_valid():
        try:
            done = services.detainer_record_outcome(detainer=detainer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            # e.g. a transfer refused while a U.S.-citizenship claim is unresolved (R5.1 STOP), or a late
            # outcome recorded without its explanation.
            add_service_errors(form, error)
            return _render_detail(request, detainer, outcome_form=form)
        if done.hold_deadline is not None and done.outcome_at > done.hold_deadline:
            messages.warning(
                request,
                "Outcome recorded. Custody ended after the 48-hour hold deadline: a critical finding and an "
                "incident were opened for supervisor review.",
            )
        else:
            _saved_message(request, "Outcome recorded.", done)
        return redirect("incidents:detainer_detail", public_id=detainer.public_id)
    return _render_detail(request, detainer, outcome_form=form)


RULE_BREAK_SAVED_MESSAGE = (
    "{done} It records a fact that broke a rule ({rules}): it was saved as it happened with your explanation, "
    "the failed check is shown below, a finding was opened and the supervisors were told."
)


def _saved_message(request, done: str, record) -> None:
    """Success, or — when the save recorded a rule break — a warning saying what followed (no personal data)."""
    breaks = getattr(record, "recorded_rule_breaks", [])
    if not breaks:
        messages.success(request, done)
        return
    rules = ", ".join(dict.fromkeys(item.rule_ids for item in breaks))
    messages.warning(request, RULE_BREAK_SAVED_MESSAGE.format(done=done, rules=rules))


def _render_detail(request, detainer: Detainer, *, outcome_form: DetainerOutcomeForm | None):
    can_change = access.can(request.user, access.CHANGE, detainer.agency)
    if outcome_form is None and can_change:
        outcome_form = DetainerOutcomeForm(agency=detainer.agency)
    findings = Finding.objects.filter(
        content_type=ContentType.objects.get_for_model(Detainer), object_id=detainer.pk
    ).order_by("-opened_at")
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    now = timezone.now()
    # Every legal check, passed / failed / does not apply, and the verdict on the hold.
    legal_checks = checks.detainer_checks(detainer, at=now)
    context = {
        "checks": legal_checks,
        "pc_basis_labels": [PCBasis(value).label for value in PCBasis.values if value in (detainer.pc_basis or [])],
        "wso_must_release_by": wso_must_release_by(
            arrested_at=detainer.action_at if detainer.action == Action.EXECUTE_ARREST_IN_FACILITY else None,
            model=detainer.agreement.model if detainer.agreement else None,
            igsa=bool(detainer.agreement and detainer.agreement.igsa),
        ),
        # One summary at the top; the checks list is the only place for rule results.
        "hold_verdict": hold_verdict(detainer, legal_checks, at=now),
        "detainer": detainer,
        "now": now,
        "legacy_form": detainer.form in LEGACY_FORMS,
        "can_change": can_change,
        # Auditors, supervisors and administrators read who viewed this record (SECURITY.md G5).
        "can_read_access_log": access.can(request.user, access.EXPORT, detainer.agency),
        "outcome_form": outcome_form if can_change else None,
        "incidents": detainer.incidents.order_by("-occurred_at"),
        "findings": findings,
    }
    context.update(stop_and_consular_context(detainer, now=now))  # citizenship STOP banner, consular status
    context.update(detainer_actions_context(detainer, now=now))  # the log of 287(g) actions (R1.6, R3.8)
    return render(request, "incidents/detainer_detail.html", context)
