"""Form fields for a date and time typed on the agency's wall clock (case D3).

``AgencyLocalDateTimeField`` reads a local date + time (USWDS date and time
inputs). ``AgencyLocalTimesMixin`` turns it into UTC in the agency's zone once
the agency is known, adding a companion "which one?" choice per field: hidden
until the typed time happens twice (the night daylight time ends), then shown as
two radio buttons naming both offsets. A time the clock skipped is refused at
the field. Neither case is a server error.

Any form of any app may use these; imports apply the same rule through
``incidents.rules.local_to_utc``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from incidents.rules import EARLIER, LATER, AmbiguousLocalTime, NonexistentLocalTime, local_to_utc, utc_to_local

INCOMPLETE_MESSAGE = "Enter both a date and a time."
NONEXISTENT_MESSAGE = (
    "{local} does not exist in {zone}: that night the clocks moved forward from {before} to {after}. Check the time."
)
REPEATED_MESSAGE = (
    "{local} happens twice in {zone}: {earlier} = {earlier_utc} UTC, or {later} = {later_utc} UTC. "
    "Choose which one below."
)
WHICH_SUFFIX = "_which"
WHICH_EARLIER = "earlier"
WHICH_LATER = "later"
_FOLDS = {WHICH_EARLIER: EARLIER, WHICH_LATER: LATER}


def format_offset(offset: timedelta | None) -> str:
    """``UTC−05:00`` style (true minus sign), for messages."""
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    sign = "−" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _clock(value: datetime) -> str:
    """``01:30 CDT (UTC−05:00)`` for an aware local datetime."""
    return f"{value:%H:%M} {value.tzname()} ({format_offset(value.utcoffset())})"


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
            forms.DateField(input_formats=["%Y-%m-%d", "%m/%d/%Y"]),
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
        for name in names:
            value = self.initial.get(name)
            if isinstance(value, datetime) and value.tzinfo is not None:
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
                self.cleaned_data[name] = local_to_utc(naive, zone, fold=_FOLDS.get(which))
            except NonexistentLocalTime as exc:
                before_name, before_offset = exc.before
                after_name, after_offset = exc.after
                message = NONEXISTENT_MESSAGE.format(
                    local=f"{naive:%Y-%m-%d %H:%M}",
                    zone=zone.key,
                    before=f"{before_name} ({format_offset(before_offset)})",
                    after=f"{after_name} ({format_offset(after_offset)})",
                )
                self.add_error(name, ValidationError(message, code="nonexistent_time"))
            except AmbiguousLocalTime as exc:
                message = REPEATED_MESSAGE.format(
                    local=f"{naive:%Y-%m-%d %H:%M}",
                    zone=zone.key,
                    earlier=_clock(exc.earlier),
                    earlier_utc=f"{exc.earlier.astimezone(UTC):%H:%M}",
                    later=_clock(exc.later),
                    later_utc=f"{exc.later.astimezone(UTC):%H:%M}",
                )
                self.add_error(name, ValidationError(message, code="repeated_time"))
                self._reveal_which(name, exc)

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
