"""The report forms: request a report of the catalog, verify a report's file. They validate only; services act."""

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.core import access
from compliance.core.forms import BoundedDateField
from compliance.core.models import Agency, Report
from compliance.reports.audit_trail import RECORD_TYPES, audit_parameters, record_resolve
from compliance.reports.catalog import KINDS
from compliance.reports.periods import PERIOD_DAYS

ERR_FUTURE = "The report date cannot be after today ({today}) in the agency's time zone."
ERR_ORDER = "The period cannot start after its last day ({end})."
ERR_SPAN = "The period can be at most {years} years long; choose a later start."
ERR_BASIS = "The {kind} report is only given {basis}: choose that, or “The report's own meaning”."
ERR_RECORD_TYPE = "Choose the type of record whose audit trail you want."
ERR_RECORD_REFERENCE = "Give the record's reference (booking number, badge number, tracking number) or its id."
ERR_TOO_BIG = "The file is larger than {mb} MB; a report we issue is far smaller."
ERR_NOT_PDF = "This file is not a PDF (it does not start with %PDF-)."

#: The longest period a report may cover (three years; a leap day included).
MAX_PERIOD_DAYS = 3 * 365 + 1
#: The largest file the verify page reads.
VERIFY_MAX_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

#: The meanings of "as of", in plain words (the value "" lets the kind use its own).
BASIS_CHOICES = [
    ("", "The report's own meaning (said on its cover)"),
    (
        Report.Basis.EFFECTIVE.value,
        "As effective on: facts count from the day they happened, even when they were recorded later",
    ),
    (
        Report.Basis.RECORDED.value,
        "As recorded by: what the records said at the end of the last day (their history), later corrections left out",
    ),
]


def _kinds_with_both_bases() -> str:
    labels = [Report.Kind(value).label for value, kind in KINDS.items() if len(kind.bases) > 1]
    return ", ".join(labels) if labels else "none"


class ReportRequestForm(forms.Form):
    """A report of the catalog for one agency and a period of agency-local days (``services.report_request``)."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label=None, to_field_name="public_id")
    # The records request is asked for by a subject's number on its own page (``RecordsRequestForm``); inspection
    # readiness from its agreement's page (``compliance.views.inspection``).
    kind = forms.ChoiceField(
        label="Report",
        choices=[
            choice
            for choice in Report.Kind.choices
            if choice[0] not in (Report.Kind.RECORDS_REQUEST, Report.Kind.INSPECTION_READINESS)
        ],
    )
    period_start = BoundedDateField(
        label="Period from",
        required=False,
        help_text=f"The first day (the agency's local date). Blank: the {PERIOD_DAYS} days ending on the last day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    as_of = BoundedDateField(
        label="Period to (as of)",
        help_text=(
            "The last day, included (the agency's local date): the report answers as things stood at the end of "
            "that day, or now if that day is today. Not after today."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    basis = forms.ChoiceField(
        label="What “as of” means",
        required=False,
        choices=BASIS_CHOICES,
        widget=forms.RadioSelect,
    )
    record_type = forms.ChoiceField(
        label="Record (audit trail only)",
        required=False,
        choices=[("", "—"), *((key, label) for key, (label, _field, _ref) in RECORD_TYPES.items())],
        help_text="For the audit trail of one record: its type.",
    )
    record_reference = forms.CharField(
        label="Record reference (audit trail only)",
        required=False,
        max_length=100,
        help_text=(
            "A detainer's booking number, an officer's badge number, a complaint's tracking number, or the "
            "record's id as in its page address. Looked up in the chosen agency only."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only agencies where the user holds export_reports (an object permission).
        self.fields["agency"].queryset = access.agencies_for(user, access.EXPORT).order_by("state", "name")
        snapshots = [Report.Kind(value).label for value, kind in KINDS.items() if kind.snapshot]
        if snapshots:
            self.fields[
                "period_start"
            ].help_text += f" Not used by the {', '.join(snapshots)} report: it is a picture of the last day."
        self.fields["basis"].help_text = (
            f"Only some reports can be given either way ({_kinds_with_both_bases()}); the others say on their "
            "cover which meaning they use."
        )

    def clean(self):
        cleaned = super().clean()
        agency, kind = cleaned.get("agency"), cleaned.get("kind")
        if kind in KINDS and KINDS[kind].snapshot:
            cleaned["period_start"] = None  # a picture of the last day: the start is not used (nor checked)
        start, end = cleaned.get("period_start"), cleaned.get("as_of")
        if agency and end:
            today = timezone.localdate(timezone=agency.zone)
            if end > today:
                self.add_error("as_of", ERR_FUTURE.format(today=today.isoformat()))
        if start and end:
            if start > end:
                self.add_error("period_start", ERR_ORDER.format(end=end.isoformat()))
            elif (end - start) + timedelta(days=1) > timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("period_start", ERR_SPAN.format(years=3))
        basis = cleaned.get("basis") or None
        if kind in KINDS and basis and basis not in KINDS[kind].bases:
            only = Report.Basis(KINDS[kind].bases[0]).label.lower()
            self.add_error("basis", ERR_BASIS.format(kind=Report.Kind(kind).label.lower(), basis=only))
        cleaned["parameters"] = {}
        if kind == Report.Kind.AUDIT_TRAIL:
            self._clean_record(cleaned, agency)
        return cleaned

    def _clean_record(self, cleaned: dict, agency) -> None:
        record_type, reference = cleaned.get("record_type"), (cleaned.get("record_reference") or "").strip()
        # A field already refused (an unknown type, NUL, too long) keeps its own message only.
        if not record_type and "record_type" not in self.errors:
            self.add_error("record_type", ERR_RECORD_TYPE)
        if not reference and "record_reference" not in self.errors:
            self.add_error("record_reference", ERR_RECORD_REFERENCE)
        if not (record_type and reference and agency):
            return
        try:
            record = record_resolve(agency=agency, record_type=record_type, reference=reference)
        except ValidationError as error:
            self.add_error("record_reference", error)
            return
        cleaned["parameters"] = audit_parameters(record)

    def request_arguments(self) -> dict:
        """The keyword arguments of ``services.report_request`` (besides ``actor``), from a valid form."""
        data = self.cleaned_data
        return {
            "agency": data["agency"],
            "kind": data["kind"],
            "as_of": data["as_of"],
            "period_start": data.get("period_start"),
            "basis": data.get("basis") or None,
            "parameters": data.get("parameters") or {},
        }


ERR_SUBJECT_NUMBER = "Give the subject's A-number (A and 8 or 9 digits) or a booking number."
ERR_REFERENCE = "Use letters, digits, spaces and - / . _ # : only in the request reference."
#: The longest request reference kept (``Report.parameters["reference"]``).
REFERENCE_MAX = 60
_REFERENCE_CHARACTERS = re.compile(r"[\w \-/.#:]*")


class RecordsRequestForm(forms.Form):
    """A records request: the subject's A-number or a booking number (``services.records_request``), sent by POST
    only so the number is never in an address (SECURITY.md F6)."""

    number = forms.CharField(
        label="A-number or booking number",
        max_length=40,
        required=False,
        help_text=(
            "Exact, e.g. A012345678 or BK-20001. Every detainer of the subject in the agencies whose reports you may "
            "request is included, also those found through the A-number of a detainer the booking number finds."
        ),
    )

    reference = forms.CharField(
        label="Request reference (optional)",
        max_length=REFERENCE_MAX,
        required=False,
        help_text=(
            f"Your number for the request, e.g. PRR-2026-0077 or a court case number; at most {REFERENCE_MAX} "
            "characters. It is shown on the reports list, the PDF and the JSON so you can tell which file answers "
            "which request. Not for personal data: do not type the person's name, date of birth or A-number."
        ),
    )

    def clean_number(self) -> str:
        number = (self.cleaned_data.get("number") or "").strip()
        if not number:
            raise ValidationError(ERR_SUBJECT_NUMBER)
        return number

    def clean_reference(self) -> str:
        reference = " ".join((self.cleaned_data.get("reference") or "").split())
        if not _REFERENCE_CHARACTERS.fullmatch(reference):
            raise ValidationError(ERR_REFERENCE)
        return reference


class ReportVerifyForm(forms.Form):
    """A PDF to check against the reports we issued (``compliance.reports.verify``)."""

    file = forms.FileField(
        label="Report file (PDF)",
        help_text="The PDF exactly as downloaded; at most 50 MB. It is read to compute its SHA-256 and not kept.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > VERIFY_MAX_BYTES:
            raise ValidationError(ERR_TOO_BIG.format(mb=VERIFY_MAX_BYTES // (1024 * 1024)))
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            raise ValidationError(ERR_NOT_PDF)
        return upload
