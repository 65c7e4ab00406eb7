"""Form fields for a date and time typed on the agency's wall clock (case D3).

``AgencyLocalDateTimeField`` reads a local date + time (USWDS date and time
inputs). ``AgencyLocalTimesMixin`` turns it into UTC in the agency's zone once
the agency is known, adding a companion "which one?" choice per field: hidden
until the typed time happens twice (the night daylight time ends), then shown as
two radio buttons naming both offsets. A time the clock skipped is refused at
the field. Neither case is a server error.

The widget shows hours and minutes only. So that saving a page unchanged never
rewrites a stored time (case H2: no phantom changes), a typed reading equal to
the stored value cut to the minute keeps the stored value, seconds and all.
Views pass the stored values as ``initial`` on POST as well as on GET.

The incidents forms with a typed time use these (detainer, outcome, action,
citizenship, consular, custody board, incident); the detainer-log import applies
the same rule through ``incidents.detainers.rules.local_to_utc``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from compliance.core.forms import BoundedDateField
from incidents.detainers.rules import (
    EARLIER,
    LATER,
    AmbiguousLocalTime,
    NonexistentLocalTime,
    local_to_utc,
    utc_to_local,
)

INCOMPLETE_MESSAGE = "Enter both a date and a time."
NONEXISTENT_MESSAGE = (
    "{local} does not exist in {zone}: that night the clocks moved forward from {before} to {after}. Check the time."
)
REPEATED_MESSAGE = (
    "{local} happens twice in {zone}: {earlier} = {earlier_utc} UTC, or {later} = {later_utc} UTC. {choose}"
)
CHOOSE_BELOW = "Choose which one below."
WHICH_SUFFIX = "_which"
WHICH_EARLIER = "earlier"
WHICH_LATER = "later"
_FOLDS = {WHICH_EARLIER: EARLIER, WHICH_LATER: LATER}


def zone_of(agency) -> ZoneInfo | None:
    """The agency's zone, or None before an agency is chosen (the fields then wait for one)."""
    return agency.zone if agency is not None else None


def format_offset(offset: timedelta | None) -> str:
    """``UTC−05:00`` style (true minus sign), for messages."""
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    sign = "−" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _clock(value: datetime) -> str:
    """``01:30 CDT (UTC−05:00)`` for an aware local datetime."""
    return f"{value:%H:%M} {value.tzname()} ({format_offset(value.utcoffset())})"


def nonexistent_time_message(exc: NonexistentLocalTime) -> str:
    """What to tell a user who typed (or imported) a time the clock skipped.

    E.g. ``2026-03-08 02:30 does not exist in America/Chicago: that night the
    clocks moved forward from CST (UTC−06:00) to CDT (UTC−05:00). Check the
    time.`` Case D3; used by the forms here and by imports.
    """
    before_name, before_offset = exc.before
    after_name, after_offset = exc.after
    return NONEXISTENT_MESSAGE.format(
        local=f"{exc.naive:%Y-%m-%d %H:%M}",
        zone=exc.zone.key,
        before=f"{before_name} ({format_offset(before_offset)})",
        after=f"{after_name} ({format_offset(after_offset)})",
    )


def repeated_time_message(exc: AmbiguousLocalTime, *, choose: str = CHOOSE_BELOW) -> str:
    """What to tell a user who typed (or imported) a time the clock showed twice.

    Names both readings and their UTC times (``01:30 CDT (UTC−05:00) = 06:30 UTC,
    or 01:30 CST (UTC−06:00) = 07:30 UTC``), then ``choose``: how to say which
    (a form shows a choice; an import file gives a UTC offset). Case D3.
    """
    return REPEATED_MESSAGE.format(
        local=f"{exc.naive:%Y-%m-%d %H:%M}",
        zone=exc.zone.key,
        earlier=_clock(exc.earlier),
        earlier_utc=f"{exc.earlier.astimezone(UTC):%H:%M}",
        later=_clock(exc.later),
        later_utc=f"{exc.later.astimezone(UTC):%H:%M}",
        choose=choose,
    )


def keep_stored_if_same_minute(instant: datetime, stored: datetime | None, zone: ZoneInfo) -> datetime:
    """The stored value when ``instant`` is it cut to the minute on the agency's clock, else ``instant``.

    Args:
        instant: aware datetime cleaned from the form (whole minutes: the widget
            shows HH:MM).
        stored: the aware value the form was shown with (``initial``), or None.
        zone: the agency's IANA zone; the cut is made on its clock.

    Returns:
        ``stored`` unchanged (seconds and microseconds kept) when it reads as
        the same local date, hour and minute, and the same one of a repeated
        hour; otherwise ``instant``. Case H2 (CASES.md: no phantom changes).
    """
    if stored is None:
        return instant
    local = stored.astimezone(zone)
    cut = local.replace(second=0, microsecond=0)
    # Compared in UTC: aware datetimes of a repeated hour never compare equal across zones (PEP 495).
    if cut.astimezone(UTC) == instant.astimezone(UTC):
        return stored
    return instant


class LocalDateTimeWidget(forms.MultiWidget):
    """A USWDS date input and a time input side by side, each with its own small label."""

    template_name = "incidents/widgets/local_datetime.html"

    def __init__(self, attrs=None):
        widgets = (
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        )
        super().__init__(widgets, attrs)

    def id_for_label(self, id_):
        # The field's own label points at the date input; each input also has its small label.
        return f"{id_}_0" if id_ else id_

    def decompress(self, value):
        if isinstance(value, datetime):
            # The form turned stored UTC values into naive local readings already.
            return [value.date(), value.time().replace(second=0, microsecond=0)]
        return [None, None]


class AgencyLocalDateTimeField(forms.MultiValueField):
    """A date and time as read off a clock in the agency's zone.

    Cleans to a naive ``datetime`` (the wall-clock reading); the form's
    ``AgencyLocalTimesMixin`` converts it to aware UTC in the agency's zone and
    reports times that do not exist or happen twice at this field.
    """

    widget = LocalDateTimeWidget

    def __init__(self, *, required: bool = True, **kwargs):
        fields = (
            BoundedDateField(input_formats=["%Y-%m-%d", "%m/%d/%Y"]),
            forms.TimeField(input_formats=["%H:%M", "%H:%M:%S", "%I:%M %p"]),
        )
        kwargs.setdefault("error_messages", {"incomplete": INCOMPLETE_MESSAGE})
        super().__init__(fields, require_all_fields=False, required=required, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        day, clock = data_list
        if day is None or clock is None:
            raise ValidationError(INCOMPLETE_MESSAGE, code="incomplete")
        return datetime.combine(day, clock.replace(second=0, microsecond=0))


class RepeatedTimeChoiceField(forms.ChoiceField):
    """The companion of an ``AgencyLocalDateTimeField``: which of two repeated times is meant."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "choices",
            [
                (WHICH_EARLIER, "The earlier one (daylight time)"),
                (WHICH_LATER, "The later one (standard time)"),
            ],
        )
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)


class AgencyLocalTimesMixin:
    """Reads every ``AgencyLocalDateTimeField`` of a form in one agency's zone.

    Call ``init_local_times(zone)`` at the end of ``__init__`` (``zone`` may be
    None while the agency is still to be chosen) and ``clean_local_times(zone)``
    from ``clean()`` once the agency is known. Initial values may be aware UTC
    datetimes (stored values); they are shown on the agency's clock.

    Case H2 (no phantom changes): pass the stored values as ``initial`` on POST
    too. A submitted reading equal to the stored value cut to the minute (same
    date, hour, minute and, for a repeated hour, the same one) then cleans to
    the stored value itself, seconds and microseconds preserved, so saving an
    unchanged page writes no history row; ``has_changed`` is False for it.
    """

    def local_time_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, AgencyLocalDateTimeField)]

    def init_local_times(self, zone: ZoneInfo | None) -> None:
        names = self.local_time_fields()
        ordered = {}
        for name, field in self.fields.items():
            ordered[name] = field
            if name in names:
                ordered[name + WHICH_SUFFIX] = RepeatedTimeChoiceField(
                    label=f"{field.label}: which one? (the clock showed this time twice)"
                )
        self.fields = ordered
        self.stored_times: dict[str, datetime] = {}
        for name in names:
            value = self.initial.get(name)
            if isinstance(value, datetime) and value.tzinfo is not None:
                self.stored_times[name] = value
                naive, fold = utc_to_local(value, zone or UTC)
                self.initial[name] = naive
                if fold is not None:
                    self.initial[name + WHICH_SUFFIX] = WHICH_EARLIER if fold == EARLIER else WHICH_LATER
                    self._reveal_which(name)
            if self.is_bound and self.data.get(self.add_prefix(name + WHICH_SUFFIX)):
                self._reveal_which(name)

    def clean_local_times(self, zone: ZoneInfo | None) -> None:
        """Replace each naive local reading in ``cleaned_data`` by aware UTC, or add an error at its field.

        With ``zone`` None (agency not chosen) the readings are dropped: the
        form is invalid anyway and no naive datetime may reach a service.
        """
        for name in self.local_time_fields():
            which = self.cleaned_data.pop(name + WHICH_SUFFIX, "") or ""
            naive = self.cleaned_data.get(name)
            if naive is None:
                continue
            if zone is None:
                del self.cleaned_data[name]
                continue
            try:
                instant = local_to_utc(naive, zone, fold=_FOLDS.get(which))
            except NonexistentLocalTime as exc:
                self.add_error(name, ValidationError(nonexistent_time_message(exc), code="nonexistent_time"))
            except AmbiguousLocalTime as exc:
                self.add_error(name, ValidationError(repeated_time_message(exc), code="repeated_time"))
                self._reveal_which(name, exc)
            else:
                self.cleaned_data[name] = keep_stored_if_same_minute(instant, self.stored_times.get(name), zone)

    def section_companions(self, name: str) -> list[str]:
        """A time field's "which one?" choice: it follows the field in a form laid out in sections.

        The hook of ``compliance.core.form_sections.SectionedFormMixin``; other fields have none.
        """
        return [name + WHICH_SUFFIX] if name in self.local_time_fields() else []

    def _reveal_which(self, name: str, ambiguous: AmbiguousLocalTime | None = None) -> None:
        """Show the companion choice as radio buttons (labels name both offsets when known)."""
        companion = self.fields[name + WHICH_SUFFIX]
        if ambiguous is not None:
            companion.label = f"{self.fields[name].label}: which {ambiguous.naive:%H:%M}?"
            companion.choices = [
                (WHICH_EARLIER, f"The earlier one: {_clock(ambiguous.earlier)}, daylight time"),
                (WHICH_LATER, f"The later one: {_clock(ambiguous.later)}, standard time"),
            ]
        companion.widget = forms.RadioSelect(choices=companion.choices)


class AgencyTimesForm(AgencyLocalTimesMixin, forms.Form):
    """A form about one agency's record whose datetimes are typed on that agency's clock.

    Takes ``agency=`` (a ``compliance.Agency``); subclasses that add checks call
    ``super().clean()`` first (which reads the local times).
    """

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.init_local_times(agency.zone)

    def clean(self):
        cleaned = super().clean()
        self.clean_local_times(self.agency.zone)
        return cleaned
