"""Findings pages: the list per agency with filters, one finding, and the supervisor's actions.

Rows are reached only through ``compliance.core.access``: another agency's finding
answers 404. Auditors and staff read; supervisors (``review_records``) act
(``compliance.core.findings``); a user who can see a finding but not act gets 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from compliance.core import access, keyset
from compliance.core import findings as services
from compliance.core.models import Finding, Severity
from compliance.core.pages import several_agencies
from compliance.core.record_pages import RECORD_PAGES

PAGE_SIZE = 25
#: The list's name in its cursors (``compliance.core.keyset``): newest opened first, the id breaking ties.
CURSOR_SALT = "compliance.findings"
ORDER = (keyset.Key("opened_at", descending=True), keyset.Key("pk", descending=True))


def record_url(finding: Finding) -> str | None:
    """The page of the record a finding concerns, or None when it has none (or was deleted)."""
    record = finding.record
    target = RECORD_PAGES.get(f"{finding.content_type.app_label}.{finding.content_type.model}")
    if record is None or target is None:
        return None
    name, attribute = target
    value = record
    for part in attribute.split("."):
        value = getattr(value, part)
    try:
        return reverse(name, args=[value])
    except NoReverseMatch:
        return None


class FindingFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[(services.ACTIVE, "Open or acknowledged"), ("", "Any status"), *Finding.Status.choices],
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Finding.Kind.choices])
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    # Age since opened (the dashboard's open findings by severity and age link here).
    age = forms.ChoiceField(
        required=False, choices=[("", "Any age"), *((key, label) for key, label, _, _ in services.AGE_BUCKETS)]
    )


class ResolveForm(forms.Form):
    note = forms.CharField(label="How it was resolved", widget=forms.Textarea(attrs={"rows": 3}))


class FalsePositiveForm(forms.Form):
    reason = forms.CharField(label="Why it is a false positive", widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it",
        help_text="For example: the corrective action did not hold.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": services.REOPEN_REASON_REQUIRED_MESSAGE},
    )


def _finding_or_404(request, public_id) -> Finding:
    return access.get_scoped_or_404(
        Finding.objects.select_related("agency", "content_type", "resolved_by", "acknowledged_by", "reopened_by"),
        request.user,
        access.VIEW,
        public_id=public_id,
    )


@login_required
@never_cache
def finding_list(request):
    """Findings of the user's agencies (``?agency=`` narrows to one), filtered by status, kind, severity, age.

    Newest opened first. Pages: keyset (``?cursor=``, ``compliance.core.keyset``; a bad cursor gives the first
    page), first / previous / next / last with the filters kept in every link; the count is capped at
    ``keyset.COUNT_CAP``. A fixed number of queries at any size (the records are prefetched per record type).
    """
    data = request.GET.copy()
    data.setdefault("status", services.ACTIVE)
    filters = FindingFilterForm(data)
    chosen = (
        filters.cleaned_data
        if filters.is_valid()
        else {"status": services.ACTIVE, "kind": "", "severity": "", "age": ""}
    )
    queryset = services.findings_for(request.user, **chosen)
    queryset, only_agency = access.narrow_to_requested_agency(queryset, request)
    cursor = keyset.cursor_decode(request.GET.get("cursor"), salt=CURSOR_SALT)
    page = keyset.keyset_page([keyset.Segment(queryset.prefetch_related("record"), ORDER)], cursor, size=PAGE_SIZE)
    rows = [(finding, record_url(finding)) for finding in page.rows]
    query = {key: value for key, value in chosen.items()}
    if only_agency is not None:
        query["agency"] = str(only_agency.public_id)
    context = {
        "page": page,
        "links": keyset.page_links(page, query, salt=CURSOR_SALT),
        "pages_label": "Pages of the findings",
        "count": keyset.count_capped(queryset),
        "count_cap": keyset.COUNT_CAP,
        "rows": rows,
        "filters": filters,
        "only_agency": only_agency,
        "several_agencies": several_agencies(request.user, only_agency),
        # Agencies where the user may act (review_records): closed rows there get a "Reopen" link. One query.
        "reviewable_agency_ids": set(access.agency_ids_for(request.user, access.REVIEW)),
    }
    return render(request, "compliance/finding_list.html", context)


@login_required
@never_cache
def finding_detail(request, public_id):
    finding = _finding_or_404(request, public_id)
    return _render_detail(request, finding)


def _render_detail(
    request, finding: Finding, *, resolve_form=None, false_positive_form=None, reopen_form=None, status=200
):
    can_review = access.can(request.user, access.REVIEW, finding.agency)
    is_open = finding.status in services.OPEN_STATUSES
    context = {
        "finding": finding,
        "record_url": record_url(finding),
        "can_review": can_review and is_open,
        # Closed only by a decision recorded on its record (e.g. a U.S.-citizenship claim's resolution, R5.1).
        "closed_on_record": services.close_refusal(finding) if can_review and is_open else None,
        "can_reopen": can_review and not is_open,
        # A case can be opened from the finding, or the finding linked to one (incidents:finding_case).
        "can_open_case": access.can(request.user, access.CHANGE, finding.agency),
        "resolve_form": resolve_form or ResolveForm(),
        "false_positive_form": false_positive_form or FalsePositiveForm(),
        "reopen_form": reopen_form or ReopenForm(),
        # How it had been closed, while it is open again (from the history: one query).
        "earlier_closure": services.last_closure(finding) if finding.reopened_at and is_open else None,
    }
    return render(request, "compliance/finding_detail.html", context, status=status)


def _reviewable_or_403(request, public_id) -> Finding:
    finding = _finding_or_404(request, public_id)
    if not access.can(request.user, access.REVIEW, finding.agency):
        raise PermissionDenied("Only a supervisor of this agency may act on its findings.")
    return finding


@login_required
@never_cache
@require_POST
def finding_acknowledge(request, public_id):
    finding = _reviewable_or_403(request, public_id)
    try:
        services.finding_acknowledge(finding=finding, actor=request.user)
        messages.success(request, "Finding acknowledged.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("findings:detail", public_id=finding.public_id)


@login_required
@never_cache
@require_POST
def finding_resolve(request, public_id):
    finding = _reviewable_or_403(request, public_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.finding_resolve(finding=finding, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            if "note" not in getattr(error, "message_dict", {}):
                messages.error(request, " ".join(error.messages))
                return redirect("findings:detail", public_id=finding.public_id)
            # e.g. the person is still held past the deadline: said next to the note, which is kept.
            for message in error.message_dict["note"]:
                form.add_error("note", message)
        else:
            messages.success(request, "Finding resolved.")
            return redirect("findings:detail", public_id=finding.public_id)
    return _render_detail(request, finding, resolve_form=form)


def _closing_step(request, public_id, *, form_class, write, field: str, success: str, form_key: str):
    """A supervisor's step that takes one reason (false positive, reopen): the form, the service, a message.

    An invalid form is shown again next to its field; a refusal by the service (e.g. the finding is no
    longer in a state that allows it) is a message on the detail page.
    """
    finding = _reviewable_or_403(request, public_id)
    form = form_class(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, **{form_key: form})
    try:
        write(finding=finding, actor=request.user, **{field: form.cleaned_data[field]})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("findings:detail", public_id=finding.public_id)


@login_required
@never_cache
@require_POST
def finding_false_positive(request, public_id):
    """A supervisor marks the finding a false positive, with the reason (``compliance.core.findings``)."""
    return _closing_step(
        request,
        public_id,
        form_class=FalsePositiveForm,
        write=services.finding_mark_false_positive,
        field="reason",
        success="Finding marked a false positive.",
        form_key="false_positive_form",
    )


@login_required
@never_cache
@require_POST
def finding_reopen(request, public_id):
    """A supervisor reopens a resolved or false-positive finding with a reason (``compliance.core.findings``)."""
    return _closing_step(
        request,
        public_id,
        form_class=ReopenForm,
        write=services.finding_reopen,
        field="reason",
        success="Finding reopened.",
        form_key="reopen_form",
    )
