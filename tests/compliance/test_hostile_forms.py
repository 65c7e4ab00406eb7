"""Hostile input to every form of the project: never a server error, never a half-done write.

SECURITY.md (b3): property-based fuzzing of every form with NUL bytes, 100,000-character
strings, dates at year 1 and 9999, integers past a database column's range, decomposed and
right-to-left Unicode, junk and other-agency ids, hostile files. Each form is sent to the
page that shows it (posted, or as the query string of a filter), by a user who may use it:
an agency administrator of two agencies, so the agency choice appears too. Per example:

* the answer is below 500 (the test client raises a view's exception, so a server error
  fails the example with its traceback; a streamed export is read to its end);
* a refused submission (any answer but a redirect, or a redirect with an error message)
  wrote nothing: every table's row count is unchanged, history tables included, the access
  log aside (reading a record's page is logged on purpose).

The fields are read off the forms the page rendered (its template context), so a field added
to a form is fuzzed without touching this file. Each example keeps most fields plausible (what
the page rendered in them, as a browser would send it: an edit page's stored values, a hidden
digest, a formset's counts; else a value of the field's kind) and makes one to three hostile
(or all of them), so the hostile value reaches the checks and services behind the others.
A form class of the project that no page here shows fails ``test_every_form_of_the_project_is_fuzzed``.

Examples per form: the Hypothesis profile of ``tests/conftest.py`` ("ci": bounded and
derandomized; ``HYPOTHESIS_PROFILE=fuzz`` for a long run).
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.formsets import BaseFormSet
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from community.commitments.models import Commitment
from community.models import Contact, Organisation
from community.steering_committee.models import CommitteeMeeting, CommitteeMember
from compliance.accounts.invitations import invitation_path
from compliance.core.forms import validate_day_in_range
from compliance.core.models import AccessLog, Finding
from compliance.core.privacy.holds import legal_hold_place
from compliance.core.roles import Role, role_grant
from compliance.core.uploads.services import pending_upload_create
from incidents.case_review import services as case_services
from incidents.citizenship.models import CitizenshipCategory
from incidents.citizenship.services import citizenship_claim_record, citizenship_escalation_record
from incidents.corrective_actions.models import CorrectiveAction
from incidents.detainer_import.models import DetainerImport
from incidents.detainer_log.forms import DetainerExportForm
from incidents.incident_log.services import incident_create
from incidents.referrals.models import Referral
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.helpers import make_certification, make_course, make_finding, make_officer, make_outreach
from tests.compliance.workbooks import sparse_xlsx
from tests.incidents.helpers import make_detainer
from training.imports.models import PendingImport
from training.imports.pending import ROSTER_UPLOADS
from training.requirements.models import TrainingRequirement
from training.roster.models import Officer, Rank
from training.sessions.models import SessionEnrollment, TrainingSession

PACKAGES = ("compliance", "training", "incidents", "community")

# --- hostile values ---------------------------------------------------------------------------------

LONG_UNBROKEN = "x" * 100_000
HOSTILE_TEXT = [
    "\x00",
    "Peña\x00; DROP TABLE officer; --",
    LONG_UNBROKEN,
    ("word " * 20_000).strip(),
    "Pen\u0303a Nguye\u0302\u0303n",  # decomposed (NFD) accents, as a Mac may send them
    "\u202eevil.exe\u202c",  # right-to-left override
    "\u200b\ufeff\u00a0",  # zero-width and non-breaking spaces only
    "💥🇺🇸" * 40,
    '<script>alert("x")</script><img src="file:///etc/passwd">',
    "{{ request }}{% debug %}",
    "' OR 1=1 --",
    '=HYPERLINK("http://evil.example")',
    "../../../etc/passwd",
    "   ",
    "\r\n\r\n",
    "",
]
HOSTILE_DATES = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2200-01-01",
    "10000-01-01",
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "12/31/9999",
    "01/01/0001",
    "-2026-01-01",
    "2026-01-01T00:00:00",
    "today",
    "\x00",
]
HOSTILE_TIMES = ["23:59", "24:00", "00:00", "99:99", "12:00 PM", "2:30", "02:30:00.999999", "\x00", "noon"]
HOSTILE_INTEGERS = [
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "1" + "0" * 40,
    "-1",
    "1e9",
    "1.5",
    "NaN",
    "inf",
    "²",
    "١٢",
    " 7 ",
    "0x10",
    "\x00",
]
JUNK_IDS = [
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "0",
    "-1",
    "99999999999999999999999",
    "1 OR 1=1",
    "\x00",
]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=60))


def hostile_date() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_DATES),
        st.dates().map(date.isoformat),
        st.dates().map(lambda day: f"{day.month}/{day.day}/{day.year:04d}"),
        hostile_text(),
    )


def hostile_integer() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_INTEGERS), st.integers(min_value=-(2**70), max_value=2**70).map(str), hostile_text()
    )


def hostile_id() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(JUNK_IDS), st.uuids().map(str), hostile_text())


#: A sheet that declares A1:H1048576 and holds a header, two rows and one cell at row 1,000,000.
MILLION_ROW_XLSX = sparse_xlsx(
    {1: ["badge_number"], 2: ["H-1"], 3: ["H-2"], 1_000_000: ["H-3"]}, dimension="A1:H1048576"
)
HOSTILE_FILES = [
    b"badge_number,last_name\r\nB-1,Pe\x00a\r\n",
    b"\x00" * 64,
    b"\xef\xbb\xbfbadge_number,last_name\r\nB-2,Nguye\xcc\x82\xcc\x83n\r\n",
    b"\xff\xfeb\x00a\x00",
    b"date,det_facility\r\n9999-12-31 23:30,Jail\r\n0001-01-01 00:10+05:00,Jail\r\n",
    b"badge_number,completed_on,course_code\r\nB-3,9999-12-31,IADP\r\n",
    b"PK\x03\x04garbage",
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    MILLION_ROW_XLSX,
    b"",
]
HOSTILE_FILE_NAMES = ["roster.csv", "book.xlsx", "../../etc/passwd", "a\x00b.csv", "x" * 300 + ".csv", "évidence.pdf"]


def hostile_file() -> st.SearchStrategy[SimpleUploadedFile]:
    return st.builds(
        SimpleUploadedFile,
        st.sampled_from(HOSTILE_FILE_NAMES),
        st.one_of(st.sampled_from(HOSTILE_FILES), st.binary(max_size=300)),
    )


# --- one form field: its names in the request and what to send -------------------------------------


@dataclass(frozen=True)
class Slot:
    """One value a form reads from the request: its name there and the field (or sub-field) that reads it."""

    name: str
    field: forms.Field
    many: bool = False  # a list of values (multiple choice, multiple hidden ids)


def slots_of(form: forms.BaseForm) -> Iterator[Slot]:
    """Every request name ``form`` reads, a ``MultiValueField`` (date + time) giving one per sub-field."""
    for name, form_field in form.fields.items():
        html_name = form.add_prefix(name)
        if isinstance(form_field, forms.MultiValueField):
            for suffix, sub_field in zip(form_field.widget.widgets_names, form_field.fields, strict=True):
                yield Slot(html_name + suffix, sub_field)
        else:
            many = isinstance(form_field, forms.MultipleChoiceField) or isinstance(
                form_field.widget, forms.MultipleHiddenInput
            )
            yield Slot(html_name, form_field, many=many)


def choice_values(form_field: forms.Field) -> list[str]:
    """The values a choice field offers (a model choice field's keys included), blanks left out."""
    values = []
    for value, label in getattr(form_field, "choices", []):
        if isinstance(label, list | tuple):  # an option group
            values += [str(inner) for inner, _ in label]
        else:
            values.append(str(getattr(value, "value", value)))
    return [value for value in values if value]


class RenderedValues(HTMLParser):
    """What a browser would send for each named input of a page as rendered, before anyone types.

    ``values``: name → text, or a list for ticked checkboxes and multiple selects. A single
    select without a selected option sends its first option, as a browser does.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str | list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._options: list[str] = []
        self._selected: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind == "checkbox" and "checked" in attributes:
                self.values.setdefault(name, [])
                if isinstance(self.values[name], list):
                    self.values[name].append(attributes.get("value") or "on")
            elif kind == "radio" and "checked" in attributes:
                self.values[name] = attributes.get("value") or "on"
            elif kind not in ("checkbox", "radio", "submit", "button", "file", "image", "reset"):
                self.values[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select, self._options, self._selected = (name, "multiple" in attributes), [], []
        elif tag == "option" and self._select is not None:
            self._options.append(attributes.get("value") or "")
            if "selected" in attributes:
                self._selected.append(attributes.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, multiple = self._select
            if multiple:
                self.values[name] = list(self._selected)
            else:
                self.values[name] = (self._selected or self._options or [""])[0]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.values[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None


def rendered_values(html: str) -> dict[str, str | list[str]]:
    """The values the page's inputs hold as rendered (``RenderedValues``)."""
    parser = RenderedValues()
    parser.feed(html)
    return parser.values


def plausible(slot: Slot, rendered) -> st.SearchStrategy:
    """A value the field would likely accept: what the page rendered in it, or one of its kind.

    ``rendered``: the value the page showed for this input (None when it showed none): an edit
    page's stored values, a hidden digest, a formset's counts.
    """
    typed = _plausible_of_kind(slot)
    if rendered in (None, "", []):
        return typed
    if slot.many and isinstance(rendered, str):
        rendered = [rendered]
    elif not slot.many and isinstance(rendered, list):
        rendered = rendered[0]
    return st.one_of(st.just(rendered), typed)


def _plausible_of_kind(slot: Slot) -> st.SearchStrategy:
    form_field = slot.field
    if isinstance(form_field, forms.FileField):
        return st.just(SimpleUploadedFile("roster.csv", b"badge_number,last_name,first_name\r\nP-1,Plausible,Kim\r\n"))
    if isinstance(form_field, forms.NullBooleanField):
        return st.sampled_from(["true", "false", "unknown"])
    if isinstance(form_field, forms.BooleanField):
        return st.sampled_from(["on", None])
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        values = choice_values(form_field)
        if not values:
            return st.just("")
        one = st.sampled_from(values)
        return st.lists(one, min_size=1, max_size=2, unique=True) if slot.many else one
    if isinstance(form_field, forms.DateField):
        return st.sampled_from(["2026-01-05", "2025-06-02", "01/05/2026"])
    if isinstance(form_field, forms.TimeField):
        return st.sampled_from(["09:30", "14:05"])
    if isinstance(form_field, forms.IntegerField):
        low = form_field.min_value if form_field.min_value is not None else 0
        high = form_field.max_value if form_field.max_value is not None else low + 100
        return st.integers(min_value=low, max_value=high).map(str)
    if slot.many:
        return st.just([])
    if isinstance(form_field, forms.UUIDField):
        return st.just("")
    if isinstance(form_field, forms.EmailField):
        return st.just("kim.plausible@example.test")
    limit = getattr(form_field, "max_length", None) or 60
    return st.sampled_from(["Plausible text", "A012345678", "70, 30, 7, 0", "B-1"]).map(lambda text: text[:limit])


def hostile(slot: Slot, other_agency_ids: list[str]) -> st.SearchStrategy:
    """A value from what breaks forms, for the field's kind (and some of every other kind)."""
    form_field = slot.field
    if isinstance(form_field, forms.FileField):
        return hostile_file()
    if isinstance(form_field, forms.DateField):
        kind = hostile_date()
    elif isinstance(form_field, forms.TimeField):
        kind = st.one_of(st.sampled_from(HOSTILE_TIMES), hostile_text())
    elif isinstance(form_field, forms.IntegerField):
        kind = hostile_integer()
    elif isinstance(form_field, forms.ModelChoiceField | forms.UUIDField) or slot.many:
        kind = st.one_of(hostile_id(), st.sampled_from(other_agency_ids or JUNK_IDS))
    else:
        kind = st.one_of(hostile_text(), hostile_integer(), hostile_date())
    if slot.many:
        return st.lists(kind, max_size=3)
    return kind


# --- the pages that show the forms ------------------------------------------------------------------


@dataclass(frozen=True)
class FormPage:
    """A page showing forms and where they are sent.

    ``url`` and ``target`` take the test case (its records) and give a URL; ``target`` None
    sends to ``url``. ``context`` names the template variables holding the forms (a form, a
    formset, or a list of ``(record, form)``); ``forms`` their classes, so this table cannot
    claim a form the page does not show. ``method`` GET: a filter read from the query string.
    ``kept_on_refusal``: models a refused submission writes on purpose (an unreadable upload
    is kept, discarded, as the record of who uploaded which file: docs/decisions/upload-core.md).
    ``accepted``: for a page that answers an accepted submission with 200 instead of a redirect, how to tell
    it (the integration's token is shown once in the POST's own answer, never in a URL or the session).
    """

    url: Callable
    context: tuple[str, ...]
    forms: tuple[str, ...]
    target: Callable | None = None
    method: str = "POST"
    kept_on_refusal: tuple[type, ...] = ()
    setup: Callable | None = None
    accepted: Callable | None = None


_COMMITTEE = "community.steering_committee.forms"


def _url(name: str, record: str | None = None, **kwargs) -> Callable:
    def build(case) -> str:
        args = [getattr(case, record).public_id] if record else []
        return reverse(name, args=args, kwargs=kwargs or None)

    return build


def _step_url(record: str, step: str) -> Callable:
    def build(case) -> str:
        return reverse("incidents:incident_step", kwargs={"public_id": getattr(case, record).public_id, "step": step})

    return build


def _custody(action: str) -> FormPage:
    form = {"service": "ServiceForm", "ice-notified": "IceNotifiedForm"}.get(action, "CustodyEndForm")

    def build(case) -> str:
        return reverse("incidents:custody_action", args=[case.detainer.public_id, action])

    return FormPage(url=build, context=("form",), forms=(f"incidents.custody.forms.{form}",))


def _pending_roster_upload(case) -> None:
    """A roster upload of the user's own, waiting for its confirmation (made in each example: it holds a file)."""
    case.pending = pending_upload_create(
        kind=ROSTER_UPLOADS,
        actor=case.user,
        agency=case.agency_a,
        data=b"badge_number,last_name,first_name\r\nP-9,Pending,Kim\r\n",
        file_name="pending.csv",
    )


PAGES: dict[str, FormPage] = {
    # compliance: findings, access log, reports, imports' confirmation
    "finding_filters": FormPage(
        _url("findings:list"), ("filters",), ("compliance.views.findings.FindingFilterForm",), method="GET"
    ),
    "finding_resolve": FormPage(
        _url("findings:detail", "finding"),
        ("resolve_form",),
        ("compliance.views.findings.ResolveForm",),
        target=_url("findings:resolve", "finding"),
    ),
    "finding_false_positive": FormPage(
        _url("findings:detail", "finding"),
        ("false_positive_form",),
        ("compliance.views.findings.FalsePositiveForm",),
        target=_url("findings:false_positive", "finding"),
    ),
    "finding_reopen": FormPage(
        _url("findings:detail", "closed_finding"),
        ("reopen_form",),
        ("compliance.views.findings.ReopenForm",),
        target=_url("findings:reopen", "closed_finding"),
    ),
    "access_log_filters": FormPage(
        _url("access_log"), ("filters",), ("compliance.views.access_log.AccessLogFilterForm",), method="GET"
    ),
    "report_request": FormPage(_url("reports:request"), ("form",), ("compliance.reports.forms.ReportRequestForm",)),
    "report_verify": FormPage(_url("reports:verify"), ("form",), ("compliance.reports.forms.ReportVerifyForm",)),
    # Inspection readiness (issue #15 item 2): the period read from the address, and the PDF request.
    "inspection_period": FormPage(
        _url("reports:inspection", "agreement_a"),
        ("form",),
        ("compliance.moa.inspection_forms.InspectionPeriodForm",),
        method="GET",
    ),
    "inspection_request": FormPage(
        _url("reports:inspection", "agreement_a"),
        ("form",),
        ("compliance.moa.inspection_forms.InspectionPeriodForm",),
        target=_url("reports:inspection_request", "agreement_a"),
    ),
    "records_request": FormPage(
        _url("reports:records_request"), ("form",), ("compliance.reports.forms.RecordsRequestForm",)
    ),
    "roster_import_confirm": FormPage(
        _url("training:roster_import_preview", "pending"),
        ("form",),
        ("compliance.core.uploads.forms.ImportConfirmForm",),
        setup=_pending_roster_upload,
    ),
    # training
    "roster_filters": FormPage(
        _url("training:roster"), ("form",), ("training.roster.forms.RosterFilterForm",), method="GET"
    ),
    "roster_search": FormPage(_url("training:roster"), ("search_form",), ("training.roster.forms.RosterSearchForm",)),
    "roster_bulk_action": FormPage(_url("training:roster"), ("bulk_form",), ("training.roster.forms.BulkActionForm",)),
    "officer_create": FormPage(_url("training:officer_create"), ("form",), ("training.roster.forms.OfficerForm",)),
    "officer_edit": FormPage(
        _url("training:officer_edit", "officer"), ("form",), ("training.roster.forms.OfficerForm",)
    ),
    "course_create": FormPage(_url("training:course_create"), ("form",), ("training.roster.forms.CourseForm",)),
    "certification_create": FormPage(
        _url("training:certification_create", "officer"), ("form",), ("training.roster.forms.CertificationForm",)
    ),
    "certificate_attach": FormPage(
        _url("training:certificate_attach", "certification"),
        ("form",),
        ("training.evidence.forms.CertificateFileForm",),
    ),
    "officer_status_change": FormPage(
        _url("training:officer_status_change", "officer"), ("form",), ("training.lifecycle.forms.StatusChangeForm",)
    ),
    "officer_checklist": FormPage(
        _url("training:officer_checklist", "officer"), ("form",), ("training.lifecycle.forms.ChecklistForm",)
    ),
    "exam_create": FormPage(_url("training:exam_create", "officer"), ("form",), ("training.lifecycle.forms.ExamForm",)),
    "agreement_requirements": FormPage(
        _url("training:agreement_requirements", "agreement"),
        ("cap_form", "row_forms"),
        ("training.lifecycle.forms.AgreementCapForm", "training.lifecycle.forms.RequirementEditForm"),
    ),
    "agreement_requirement_add": FormPage(
        _url("training:agreement_requirements", "agreement"),
        ("add_form",),
        ("training.lifecycle.forms.RequirementAddForm",),
        target=_url("training:agreement_requirement_add", "agreement"),
    ),
    "reminder_settings": FormPage(
        _url("training:reminder_settings"), ("form",), ("training.reminders.forms.ReminderSettingsForm",)
    ),
    "session_create": FormPage(_url("training:session_create"), ("form",), ("training.sessions.forms.SessionForm",)),
    "session_enroll": FormPage(
        _url("training:session_detail", "session"),
        ("enroll_form",),
        ("training.sessions.forms.EnrollForm",),
        target=_url("training:session_enroll", "session"),
    ),
    "session_results": FormPage(
        _url("training:session_detail", "session"),
        ("formset",),
        ("training.sessions.forms.EnrollmentResultForm", "django.forms.formsets.ManagementForm"),
        target=_url("training:session_results", "session"),
    ),
    "roster_import": FormPage(
        _url("training:roster_import"),
        ("form",),
        ("training.imports.forms.RosterImportForm",),
        kept_on_refusal=(PendingImport,),
    ),
    # incidents
    "detainer_create": FormPage(
        _url("incidents:detainer_create"), ("form",), ("incidents.detainers.forms.DetainerForm",)
    ),
    "detainer_edit": FormPage(
        _url("incidents:detainer_edit", "detainer"), ("form",), ("incidents.detainers.forms.DetainerForm",)
    ),
    "detainer_outcome": FormPage(
        _url("incidents:detainer_detail", "detainer"),
        ("outcome_form",),
        ("incidents.detainers.forms.DetainerOutcomeForm",),
        target=_url("incidents:detainer_outcome", "detainer"),
    ),
    "detainer_action": FormPage(
        _url("incidents:detainer_action_create", "detainer"), ("form",), ("incidents.actions.forms.DetainerActionForm",)
    ),
    "detainer_log_filters": FormPage(
        _url("incidents:detainer_list"),
        ("form",),
        ("incidents.detainer_log.forms.DetainerLogFilterForm",),
        method="GET",
    ),
    "detainer_log_name_search": FormPage(
        _url("incidents:detainer_list"),
        ("name_form",),
        ("incidents.detainer_log.forms.SubjectNameSearchForm",),
    ),
    "detainer_log_number_search": FormPage(
        _url("incidents:detainer_list"),
        ("number_form",),
        ("incidents.detainer_log.forms.NumberSearchForm",),
    ),
    "detainer_citizenship_claim": FormPage(
        _url("incidents:detainer_citizenship", "detainer"),
        ("claim_form",),
        ("incidents.citizenship.forms.CitizenshipClaimForm",),
    ),
    "detainer_citizenship_escalate": FormPage(
        _url("incidents:detainer_citizenship", "claimed"),
        ("escalation_form",),
        ("incidents.citizenship.forms.CitizenshipEscalationForm",),
        target=_url("incidents:detainer_citizenship_escalate", "claimed"),
    ),
    "detainer_citizenship_resolve": FormPage(
        _url("incidents:detainer_citizenship", "claimed"),
        ("resolution_form",),
        ("incidents.citizenship.forms.CitizenshipResolutionForm",),
        target=_url("incidents:detainer_citizenship_resolve", "claimed"),
    ),
    "detainer_consular": FormPage(
        _url("incidents:detainer_consular", "detainer"), ("form",), ("incidents.consular.forms.ConsularForm",)
    ),
    "custody_service": _custody("service"),
    "custody_ice_notified": _custody("ice-notified"),
    "custody_transfer": _custody("transfer"),
    "custody_release": _custody("release"),
    "detainer_import": FormPage(
        _url("incidents:detainer_import"),
        ("form",),
        ("incidents.detainer_import.forms.DetainerLogImportForm",),
        kept_on_refusal=(DetainerImport, DetainerImport.history.model),
    ),
    "offense_level_period": FormPage(
        _url("incidents:offense_levels"),
        ("form",),
        ("incidents.offense_levels.charts.OffensePeriodForm",),
        method="GET",
    ),
    "incident_create": FormPage(
        _url("incidents:incident_create"), ("form",), ("incidents.incident_log.forms.IncidentForm",)
    ),
    "incident_edit": FormPage(
        _url("incidents:incident_edit", "incident"), ("form",), ("incidents.incident_log.forms.IncidentForm",)
    ),
    # the case review steps (incidents.case_review), each on the case in the stage it belongs to
    **{
        f"case_{step}": FormPage(_step_url(record, step), ("form",), (f"incidents.case_review.forms.{form}",))
        for step, record, form in (
            ("accept", "incident", "AcceptForm"),
            ("merge", "incident", "MergeForm"),
            ("decline", "incident", "DeclineForm"),
            ("assign", "case_investigating", "AssignForm"),
            ("note", "incident", "NoteForm"),
            ("officer", "case_investigating", "SubjectOfficerForm"),
            ("officer-remove", "case_investigating", "SubjectOfficerRemoveForm"),
            ("allegation", "case_investigating", "AllegationForm"),
            ("disposition", "case_investigating", "DispositionForm"),
            ("submit", "case_investigating", "SubmitForm"),
            ("return", "case_review", "ReasonForm"),
            ("close", "case_review", "CloseForm"),
            ("reopen", "case_closed", "ReasonForm"),
            ("detainer", "incident", "DetainerLinkForm"),
            ("finding", "incident", "FindingLinkForm"),
        )
    },
    "rank_add": FormPage(_url("training:rank_list"), ("form",), ("training.ranks.forms.RankForm",)),
    "rank_edit": FormPage(_url("training:rank_edit", "rank"), ("form",), ("training.ranks.forms.RankForm",)),
    "finding_case": FormPage(
        _url("incidents:finding_case", "finding"), ("form",), ("incidents.case_review.forms.FindingToCaseForm",)
    ),
    "attachment_add": FormPage(
        _url("incidents:attachment_add", "incident"), ("form",), ("incidents.case_files.forms.AttachmentForm",)
    ),
    "corrective_action_add": FormPage(
        _url("incidents:corrective_action_add", "incident"),
        ("form",),
        ("incidents.corrective_actions.forms.CorrectiveActionForm",),
    ),
    "corrective_action_complete": FormPage(
        _url("incidents:corrective_action_complete", "corrective_action"),
        ("form",),
        ("incidents.corrective_actions.forms.CorrectiveActionCompleteForm",),
    ),
    "corrective_action_cancel": FormPage(
        _url("incidents:corrective_action_cancel", "corrective_action"),
        ("form",),
        ("incidents.corrective_actions.forms.CorrectiveActionCancelForm",),
    ),
    "referral_create": FormPage(
        _url("incidents:referral_create", "incident"), ("form",), ("incidents.referrals.forms.ReferralForm",)
    ),
    "referral_response": FormPage(
        _url("incidents:referral_response", "referral"), ("form",), ("incidents.referrals.forms.ReferralResponseForm",)
    ),
    "retention_settings": FormPage(
        _url("retention:settings"), ("form",), ("compliance.retention.forms.RetentionSettingsForm",)
    ),
    "legal_hold_detainer": FormPage(
        _url("retention:hold_place_detainer", "detainer"), ("form",), ("compliance.retention.forms.LegalHoldForm",)
    ),
    "legal_hold_case": FormPage(
        _url("retention:hold_place_case", "incident"), ("form",), ("compliance.retention.forms.LegalHoldForm",)
    ),
    "legal_hold_release": FormPage(
        _url("retention:hold_release", "legal_hold"),
        ("form",),
        ("compliance.retention.forms.LegalHoldReleaseForm",),
    ),
    "case_settings": FormPage(
        _url("incidents:case_settings"), ("form",), ("incidents.referrals.forms.IncidentSettingsForm",)
    ),
    "incident_queue_filters": FormPage(
        _url("incidents:incident_list"),
        ("form",),
        ("incidents.incident_log.forms.IncidentQueueFilterForm",),
        method="GET",
    ),
    # community
    "outreach_create": FormPage(
        _url("community:outreach_create"), ("form",), ("community.outreach.forms.OutreachEventForm",)
    ),
    "outreach_edit": FormPage(
        _url("community:outreach_edit", "outreach"), ("form",), ("community.outreach.forms.OutreachEventForm",)
    ),
    "commitment_create": FormPage(
        _url("community:commitment_create"), ("form",), ("community.commitments.forms.CommitmentForm",)
    ),
    "commitment_edit": FormPage(
        _url("community:commitment_edit", "commitment"), ("form",), ("community.commitments.forms.CommitmentForm",)
    ),
    "commitment_complete": FormPage(
        _url("community:commitment_complete", "commitment"),
        ("form",),
        ("community.commitments.forms.CommitmentCompleteForm",),
    ),
    "commitment_drop": FormPage(
        _url("community:commitment_drop", "commitment"), ("form",), ("community.commitments.forms.ReasonForm",)
    ),
    "commitment_filters": FormPage(
        _url("community:commitment_list"),
        ("filters",),
        ("community.commitments.forms.CommitmentFilterForm",),
        method="GET",
    ),
    "outreach_filters": FormPage(
        _url("community:outreach_list"), ("form",), ("community.outreach.forms.OutreachFilterForm",), method="GET"
    ),
    "outreach_as_of": FormPage(
        _url("community:outreach_detail", "outreach"),
        ("as_of_form",),
        ("community.outreach.forms.AsOfForm",),
        method="GET",
    ),
    "participant_add": FormPage(
        _url("community:participant_add", "outreach"), ("form",), ("community.outreach.forms.ParticipantForm",)
    ),
    "material_add": FormPage(
        _url("community:material_add", "outreach"), ("form",), ("community.outreach.forms.MaterialForm",)
    ),
    "organisation_create": FormPage(
        _url("community:organisation_create"), ("form",), ("community.organisations.forms.OrganisationForm",)
    ),
    "organisation_edit": FormPage(
        _url("community:organisation_edit", "organisation"),
        ("form",),
        ("community.organisations.forms.OrganisationForm",),
    ),
    "organisation_filters": FormPage(
        _url("community:organisation_list"),
        ("form",),
        ("community.organisations.forms.OrganisationFilterForm",),
        method="GET",
    ),
    "contact_create": FormPage(
        _url("community:contact_create"), ("form",), ("community.organisations.forms.ContactForm",)
    ),
    "contact_edit": FormPage(
        _url("community:contact_edit", "contact"), ("form",), ("community.organisations.forms.ContactForm",)
    ),
    "contact_filters": FormPage(
        _url("community:contact_list"),
        ("form",),
        ("community.organisations.forms.ContactFilterForm",),
        method="GET",
    ),
    # the steering committee (community.steering_committee.forms)
    **{
        f"committee_{name}": FormPage(_url(f"community:committee_{name}", record), ("form",), (f"{_COMMITTEE}.{form}",))
        for name, record, form in (
            ("requirement", "agreement_a", "CommitteeRequirementForm"),
            ("member_create", None, "CommitteeMemberForm"),
            ("member_edit", "committee_member", "CommitteeMemberForm"),
            ("member_end", "committee_member", "MemberEndTermForm"),
            ("meeting_create", None, "MeetingForm"),
            ("meeting_edit", "committee_meeting", "MeetingForm"),
            ("meeting_held", "committee_meeting", "MeetingHeldForm"),
            ("meeting_cancel", "committee_meeting", "MeetingCancelForm"),
            ("decision_add", "committee_meeting_held", "DecisionForm"),
        )
    },
    "transparency_settings": FormPage(
        _url("community:transparency_settings"),
        ("form",),
        ("community.transparency.forms.TransparencySettingsForm",),
    ),
}


def _reauthenticated(case) -> None:
    """The people pages' changes need a password re-entered within 5 minutes (SECURITY.md B5)."""
    session = case.client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY].append(
        {"method": "password", "at": time.time(), "username": case.user.username, "reauthenticated": True}
    )
    session.save()


def _person_url(name: str) -> Callable:
    return lambda case: reverse(name, args=[case.staff_a.pk])


# compliance.accounts: the people pages of an agency administrator and the invitation link.
PAGES.update(
    {
        "people_invite": FormPage(
            _url("people:invite"), ("form",), ("compliance.accounts.forms.InviteForm",), setup=_reauthenticated
        ),
        "people_role": FormPage(
            _person_url("people:detail"),
            ("role_form",),
            ("compliance.accounts.forms.RoleForm",),
            target=_person_url("people:role"),
            setup=_reauthenticated,
        ),
        "people_move": FormPage(
            _person_url("people:detail"),
            ("move_form",),
            ("compliance.accounts.forms.MoveForm",),
            target=_person_url("people:move"),
            setup=_reauthenticated,
        ),
        "invitation": FormPage(
            lambda case: invitation_path(case.staff_a), ("form",), ("compliance.accounts.forms.SetPasswordForm",)
        ),
    }
)


def _fresh_address_limits(case) -> None:
    """The public pages count POSTs per client address (5 complaints an hour): each example starts uncounted."""
    cache.clear()


# community.complaint_intake: the public complaint pages (no account needed; fuzzed signed in, which changes nothing).
def _moa_requirement(case) -> None:
    """The agreement's shipped MOA requirements (idempotent), and one of them to edit and attach to."""
    from compliance.moa.services import requirements_apply

    requirements_apply(agreement=case.agreement_a, actor=case.user)
    case.moa_requirement = case.agreement_a.requirements.get(key="media-relations")


def _moa_document(case) -> None:
    """A document attached to the requirement, to withdraw (made in each example: the withdrawal may succeed)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compliance.moa.services import document_attach
    from tests.community.helpers import pdf_bytes

    _moa_requirement(case)
    case.moa_document = document_attach(
        requirement=case.moa_requirement,
        actor=case.user,
        upload=SimpleUploadedFile("policy.pdf", pdf_bytes()),
        title="Invented media policy",
    )


def _integration(case) -> None:
    """An integration of agency A whose webhook address the form sets."""
    from compliance.integrations.services import integration_create

    case.integration = integration_create(agency=case.agency_a, actor=case.user, name="Invented JMS").integration


PAGES.update(
    {
        "moa_requirement_add": FormPage(
            _url("moa:requirement_add", "agreement_a"), ("form",), ("compliance.moa.forms.RequirementAddForm",)
        ),
        "moa_requirement_edit": FormPage(
            _url("moa:requirement_edit", "moa_requirement"),
            ("form",),
            ("compliance.moa.forms.RequirementForm",),
            setup=_moa_requirement,
        ),
        "moa_document_add": FormPage(
            _url("moa:document_add", "moa_requirement"),
            ("form",),
            ("compliance.moa.forms.DocumentForm",),
            setup=_moa_requirement,
        ),
        "moa_document_withdraw": FormPage(
            _url("moa:document_withdraw", "moa_document"),
            ("form",),
            ("compliance.moa.forms.DocumentWithdrawForm",),
            setup=_moa_document,
        ),
        "integration_create": FormPage(
            _url("integrations:create"),
            ("form",),
            ("compliance.integrations.forms.IntegrationForm",),
            setup=_reauthenticated,
            accepted=lambda response: b'data-testid="token"' in response.content,
        ),
        "webhook_settings": FormPage(
            _url("integrations_webhook:settings", "integration"),
            ("form",),
            ("compliance.integrations.webhook_forms.WebhookUrlForm",),
            setup=_integration,
        ),
    }
)


PAGES.update(
    {
        "complaint_intake": FormPage(
            _url("complaints:new"),
            ("form",),
            ("community.complaint_intake.forms.ComplaintForm",),
            setup=_fresh_address_limits,
        ),
        "complaint_status": FormPage(
            _url("complaints:status"),
            ("form",),
            ("community.complaint_intake.forms.StatusForm",),
            setup=_fresh_address_limits,
        ),
    }
)

#: Forms no page shows directly, each only as the base of the forms above.
BASES = {
    "compliance.core.uploads.forms.TableUploadForm": "the roster and detainer-log upload forms",
    "incidents.detainers.local_time.AgencyTimesForm": "the outcome, citizenship, consular and custody forms",
    "incidents.custody.forms._AgencyTimesForm": "the custody board's quick-action forms",
    "training.lifecycle.forms.RequirementForm": "RequirementEditForm and RequirementAddForm",
    "incidents.case_review.forms._CaseForm": "every review step's form",
}

#: Forms only the site admin (superusers) shows: not driven here; the admin's own tests cover them
#: (tests/compliance/test_names.py: the user admin stores names in NFC, trimmed).
ADMIN_ONLY = {
    "compliance.admin.UserNamesChangeForm": "the user admin's name fields (superusers only)",
}

#: allauth's sign-in pages (anonymous, or half signed in): the password form, driven with wrong and right answers
#: in tests/compliance/test_lockout.py (our subclass only refuses a locked account first); the second-factor code
#: forms, shown on the sign-in's code step and re-authentication, fuzzed there
#: (tests/compliance/test_accounts_signin.py, CodeStepHostileInputTests).
SIGN_IN_FORMS = {
    "compliance.accounts.lockout.LoginForm": "allauth's sign-in form",
    "compliance.accounts.code_forms._CodeCountsTowardLockout": "the two code forms below",
    "compliance.accounts.code_forms.SignInCodeForm": "the sign-in's code step",
    "compliance.accounts.code_forms.ReauthenticationCodeForm": "the code asked again at re-authentication",
}

#: The detainer export is a download, not a page: its form is built here and sent as the query string.
EXPORT_FORM = "incidents.detainer_log.forms.DetainerExportForm"


def project_form_classes() -> set[str]:
    """Dotted names of every form class defined in the project's packages (every module imported first)."""
    for package in PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if ".migrations" in module.name or module.name.rsplit(".", 1)[-1] in ("settings", "wsgi", "asgi"):
                continue
            importlib.import_module(module.name)
    found: set[str] = set()
    pending = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.split(".")[0] in PACKAGES:
            found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def forms_in(value) -> Iterator[forms.BaseForm]:
    """The forms a template variable holds: a form, a formset (its management form too), or a list of them."""
    if isinstance(value, BaseFormSet):
        yield value.management_form
        yield from value.forms
    elif isinstance(value, forms.BaseForm):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from forms_in(item)


def dotted(form: forms.BaseForm) -> str:
    return f"{type(form).__module__}.{type(form).__qualname__}"


def counted_models() -> list:
    """Every model whose rows a refused submission must not change (the access log is written on purpose)."""
    return [model for model in apps.get_models() if model is not AccessLog and model._meta.managed]


class HostileFormTests(HypothesisTestCase, BaseTestCase):
    """One Hypothesis test per page in ``PAGES`` (added below), plus the export and the coverage check."""

    slots_by_page: dict[str, list[Slot]] = {}
    rendered_by_page: dict[str, dict] = {}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.user = make_user("admin_ab", agency=cls.agency_a, role=Role.ADMINISTRATOR)
        role_grant(user=cls.user, agency=cls.agency_b, role=Role.ADMINISTRATOR)
        cls.officer = make_officer(cls.agency_a, 1, email="robin@example.test")
        cls.course = make_course(cls.agency_a, "IADP")
        make_course(cls.agency_a, "REFRESHER")
        cls.certification = make_certification(cls.officer, cls.course, date(2025, 1, 6))
        cls.agreement = cls.agreement_a
        TrainingRequirement.objects.create(
            agency=cls.agency_a, agreement=cls.agreement, course=cls.course, kind="basic", validity_months=24
        )
        cls.session = TrainingSession.objects.create(
            agency=cls.agency_a,
            course=cls.course,
            starts_on=date(2026, 1, 5),
            ends_on=date(2026, 1, 9),
            location="Training room",
            instructor="Instructor Example",
        )
        SessionEnrollment.objects.create(session=cls.session, officer=cls.officer)
        received = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
        cls.detainer = make_detainer(
            cls.agency_a,
            actor=cls.supervisor_a,
            number=1,
            received_at=received,
            would_be_released_at=received,
            subject_country_of_citizenship="MX",
        )
        cls.claimed = make_detainer(cls.agency_a, actor=cls.supervisor_a, number=2, received_at=received)
        citizenship_claim_record(detainer=cls.claimed, actor=cls.supervisor_a, uscitizenship_claimed=True)
        citizenship_escalation_record(  # the resolution form shows once the claim went to ICE
            detainer=cls.claimed,
            actor=cls.supervisor_a,
            escalated_at=received,
            escalated_to="ICE field office (invented)",
            category=CitizenshipCategory.values[0],
        )
        cls.incident = cls.detainer.incidents.create(
            agency=cls.agency_a, kind="other", severity="low", title="Invented incident", occurred_at=received
        )
        cls.corrective_action = CorrectiveAction.objects.create(
            agency=cls.agency_a,
            incident=cls.incident,
            kind=CorrectiveAction.Kind.TRAINING,
            description="Invented",
            owner=cls.staff_a,
            due_on=date(2026, 12, 20),
            created_by=cls.supervisor_a,
        )
        cls.referral = Referral.objects.create(
            agency=cls.agency_a,
            incident=cls.incident,
            recipient=Referral.Recipient.ICE_OPR,
            referred_at=received,
            recorded_by=cls.supervisor_a,
        )
        cls.finding = make_finding(cls.agency_a, cls.detainer)
        cls.make_cases(received)
        cls.closed_finding = make_finding(cls.agency_a, cls.incident)
        Finding.objects.filter(pk=cls.closed_finding.pk).update(status=Finding.Status.RESOLVED, resolution_note="x")
        cls.outreach = make_outreach(cls.agency_a, date(2026, 1, 10))
        cls.commitment = Commitment.objects.create(
            agency=cls.agency_a,
            event=cls.outreach,
            description="Invented commitment",
            owner=cls.staff_a,
            due_on=date(2026, 12, 20),
            created_by=cls.supervisor_a,
        )
        cls.organisation = Organisation.objects.create(agency=cls.agency_a, name="Invented group", kind="faith")
        cls.contact = Contact.objects.create(
            agency=cls.agency_a, name="Invented contact", organisation=cls.organisation
        )
        other_organisation = Organisation.objects.create(agency=cls.agency_b, name="Invented group B", kind="media")
        # The steering committee: a serving member, a scheduled meeting in the past, a held meeting.
        cls.committee_member = CommitteeMember.objects.create(
            agency=cls.agency_a, name="Invented member", term_start=date(2025, 1, 1)
        )
        cls.committee_meeting = CommitteeMeeting.objects.create(
            agency=cls.agency_a, starts_at=datetime(2026, 1, 12, 16, 0, tzinfo=UTC), agenda="Invented agenda"
        )
        cls.committee_meeting_held = CommitteeMeeting.objects.create(
            agency=cls.agency_a, starts_at=datetime(2026, 1, 5, 16, 0, tzinfo=UTC), status=CommitteeMeeting.Status.HELD
        )
        # A legal hold on the detainer, for its release page (compliance.retention).
        cls.legal_hold = legal_hold_place(
            record=cls.detainer, actor=cls.supervisor_a, scope="record", reason="litigation", reference="CV-1"
        )
        # Records of agency B, whose ids a hostile form sends to agency A's pages.
        other_officer = make_officer(cls.agency_b, 2)
        other_detainer = make_detainer(cls.agency_b, actor=cls.supervisor_b, number=3, booking_number="BK-B-3")
        cls.other_agency_ids = [
            str(cls.agency_b.public_id),
            str(other_officer.public_id),
            str(other_officer.pk),
            str(other_detainer.public_id),
            str(cls.agreement_b.public_id),
            str(cls.agreement_b.pk),
            str(other_organisation.public_id),
        ]

    @classmethod
    def make_cases(cls, occurred_at) -> None:
        """Cases in each stage of the review workflow, for the step pages (incidents.case_review)."""
        rank = Rank.objects.create(agency=cls.agency_a, name="Sergeant", seniority=20)
        Officer.objects.filter(pk=cls.officer.pk).update(rank=rank)
        cls.rank = rank
        cases = {}
        for name in ("case_investigating", "case_review", "case_closed"):
            case = incident_create(
                agency=cls.agency_a,
                actor=cls.staff_a,
                kind="other",
                severity="low",
                title=f"Invented {name}",
                occurred_at=occurred_at,
            )
            case = case_services.incident_accept(incident=case, actor=cls.supervisor_a, investigator=cls.staff_a)
            case_services.subject_officer_add(incident=case, actor=cls.staff_a, officer=cls.officer)
            allegation = case_services.allegation_add(incident=case, actor=cls.staff_a, text="Invented allegation.")
            if name != "case_investigating":
                case_services.allegation_dispose(
                    allegation=allegation, actor=cls.staff_a, disposition="unfounded", note="Invented."
                )
                case = case_services.incident_submit_for_review(incident=case, actor=cls.staff_a, summary="x")
            if name == "case_closed":
                case = case_services.incident_close(incident=case, actor=cls.supervisor_a, narrative="Invented.")
            cases[name] = case
        for name, case in cases.items():
            setattr(cls, name, case)

    def slots(self, key: str, page: FormPage) -> list[Slot]:
        """The request names of the page's forms, read once per page from the forms it rendered."""
        if key not in self.slots_by_page:
            response = self.client.get(page.url(self))
            self.assertEqual(response.status_code, 200, f"{key}: the page that shows the form")
            shown = [form for name in page.context for form in forms_in(response.context[name])]
            self.assertTrue(shown, f"{key}: no form in {page.context}")
            self.assertEqual({dotted(form) for form in shown}, set(page.forms), key)
            self.slots_by_page[key] = [slot for form in shown for slot in slots_of(form)]
            self.rendered_by_page[key] = rendered_values(response.content.decode())
        return self.slots_by_page[key]

    def draw_values(self, data, slots: list[Slot], rendered: dict) -> dict:
        """The request: most fields plausible and one to three hostile, or every field hostile."""
        names = [slot.name for slot in slots]
        everything = data.draw(st.booleans(), label="every field hostile")
        chosen = set(names) if everything else data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=3))
        values = {}
        for slot in slots:
            if slot.name in chosen:
                strategy = hostile(slot, self.other_agency_ids)
            else:
                strategy = plausible(slot, rendered.get(slot.name))
            value = data.draw(strategy, label=slot.name)
            if value is not None:
                values[slot.name] = value
        return values

    def row_counts(self) -> dict[str, int]:
        return {model._meta.label: model._default_manager.count() for model in counted_models()}

    def check_page(self, key: str, data) -> None:
        page = PAGES[key]
        sign_in(self.client, self.user)  # each example has its own client
        if page.setup is not None:
            page.setup(self)
        values = self.draw_values(data, self.slots(key, page), self.rendered_by_page[key])
        before = self.row_counts()
        url = (page.target or page.url)(self)
        send = self.client.get if page.method == "GET" else self.client.post
        response = send(url, values)
        self.assertLess(response.status_code, 500)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        refused = response.status_code not in (301, 302, 303) or any(
            message.level >= messages.ERROR for message in get_messages(response.wsgi_request)
        )
        if page.accepted is not None and response.status_code == 200:
            refused = not page.accepted(response)
        if page.method == "GET" or refused:
            after = self.row_counts()
            for model in page.kept_on_refusal:
                before.pop(model._meta.label), after.pop(model._meta.label)
            self.assertEqual(before, after, f"{key}: a refused submission wrote rows")

    @given(data=st.data())
    def test_the_detainer_export_gives_no_server_error_on_hostile_filters(self, data):
        sign_in(self.client, self.user)
        slots = list(slots_of(DetainerExportForm()))
        values = self.draw_values(data, slots, {})
        before = self.row_counts()
        response = self.client.get(reverse("incidents:detainer_export"), values)
        self.assertLess(response.status_code, 500)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        self.assertEqual(before, self.row_counts())

    def test_every_date_field_shown_refuses_dates_outside_the_calendar(self):
        # The far ends of the calendar are refused at the field, not left to overflow later (BoundedDateField).
        sign_in(self.client, self.user)
        checked = 0
        for key, page in PAGES.items():
            if page.setup is not None:
                page.setup(self)
            for slot in [
                *self.slots(key, page),
                *(slots_of(DetainerExportForm()) if key == "detainer_log_filters" else []),
            ]:
                if isinstance(slot.field, forms.DateField):
                    self.assertIn(validate_day_in_range, slot.field.validators, f"{key}: {slot.name}")
                    checked += 1
        self.assertGreater(checked, 30)

    def test_every_form_of_the_project_is_fuzzed(self):
        covered = (
            {name for page in PAGES.values() for name in page.forms}
            | set(BASES)
            | set(ADMIN_ONLY)
            | set(SIGN_IN_FORMS)
            | {EXPORT_FORM}
        )
        missing = project_form_classes() - covered
        self.assertEqual(missing, set(), "add each new form to PAGES (the page that shows it) or to BASES")


def _page_test(key: str):
    @given(data=st.data())
    def test(self, data):
        self.check_page(key, data)

    test.__name__ = f"test_hostile_input_to_{key}_gives_no_server_error_and_no_partial_write"
    test.__doc__ = f"Hypothesis drives the form(s) of ``PAGES[{key!r}]`` with hostile values."
    return test


for _key in PAGES:
    _test = _page_test(_key)
    setattr(HostileFormTests, _test.__name__, _test)
