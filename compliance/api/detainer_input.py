"""A JMS's detainer values judged by the detainer form itself, so the API and the page apply the same rules.

``detainer_values`` turns the API's typed values (aware instants, an officer and an agreement already found
in the integration's agency) into the form's POST data (each instant as its reading on the agency's clock,
with the "which one?" of a repeated hour), runs ``incidents.detainers.forms.DetainerForm`` bound to the
agency exactly as the create and edit pages do, and gives back its ``cleaned_data`` — the keyword arguments
of ``detainer_create`` / ``detainer_update`` — with each instant the JMS sent put back to the second (the
form's widget reads minutes). The form's refusals become a 422 problem naming each field.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import models

from compliance.api.problems import RuleRefused
from compliance.core.models import Agency, Agreement
from incidents.detainers.forms import DetainerForm
from incidents.detainers.local_time import WHICH_EARLIER, WHICH_LATER, WHICH_SUFFIX
from incidents.detainers.models import Detainer
from incidents.detainers.rules import EARLIER, utc_to_local
from training.roster.models import Officer

OFFICER_UNKNOWN_MESSAGE = "No officer with this public id or badge number is on the agency's roster."
AGREEMENT_UNKNOWN_MESSAGE = "No agreement of the agency has this public id."


def officer_in_agency(agency: Agency, reference: str) -> Officer | None:
    """The officer of ``agency`` whose public id or badge number is ``reference``; None when none is.

    A UUID-shaped reference is tried as a public id first, then as a badge number (a badge may look like
    anything the agency chose). Another agency's officer is never found.
    """
    reference = (reference or "").strip()
    if not reference:
        return None
    officers = Officer.objects.filter(agency=agency).select_related("agency")
    try:
        found = officers.filter(public_id=reference).first()
    except Exception:  # noqa: BLE001 (not a UUID: Django's ValidationError, or a backend's own error)
        found = None
    return found or officers.filter(badge_number=reference).first()


def _form_data(values: dict, zone) -> dict:
    """``values`` (model values) as the detainer form's POST data on the agency's clock."""
    data: dict = {}
    for name, value in values.items():
        if value is None or value is False or value == "":
            continue
        if isinstance(value, datetime):
            naive, fold = utc_to_local(value, zone)
            data[f"{name}_0"] = naive.date().isoformat()
            data[f"{name}_1"] = naive.strftime("%H:%M:%S")
            if fold is not None:
                data[name + WHICH_SUFFIX] = WHICH_EARLIER if fold == EARLIER else WHICH_LATER
        elif isinstance(value, models.Model):
            data[name] = value.pk
        elif isinstance(value, date):
            data[name] = value.isoformat()
        elif isinstance(value, list | tuple):
            data[name] = list(value)
        elif isinstance(value, bool):
            data[name] = "on"
        else:
            data[name] = str(value)
    return data


def _form_errors(form: DetainerForm) -> dict:
    """The form's errors keyed by the API's field names (a time's "which one?" is the time's own field)."""
    errors: dict = {}
    for name, messages in form.errors.items():
        field = None if name == "__all__" else name.removesuffix(WHICH_SUFFIX)
        errors.setdefault(field, []).extend(messages)
    return errors


def detainer_values(*, agency: Agency, values: dict, detainer: Detainer | None = None) -> dict:
    """The service's keyword arguments for ``values`` sent by a JMS, judged by the detainer form.

    Args:
        agency: the integration's agency (the form is bound to it, as the page is for a one-agency user).
        values: validated API values (``DetainerWriteSerializer``): aware UTC instants, ``handling_officer``
            as a badge or public id, ``agreement`` as a public id, ``explanation``. For an update, only the
            fields sent.
        detainer: the stored detainer for an update (its values fill what is not sent, and are the form's
            ``initial`` so a time sent unchanged keeps its stored value, case H2), or None for a create.

    Returns:
        ``DetainerForm.cleaned_data``: the model values plus ``explanation``, instants exactly as sent.

    Raises:
        RuleRefused: the officer or agreement is not the agency's, or the form refuses a value (422, each
            message keyed by its field).
    """
    values = dict(values)
    errors: dict = {}
    if "handling_officer" in values:
        reference = values["handling_officer"]
        values["handling_officer"] = officer_in_agency(agency, reference) if reference else None
        if reference and values["handling_officer"] is None:
            errors["handling_officer"] = [OFFICER_UNKNOWN_MESSAGE]
    if "agreement" in values:
        reference = values["agreement"]
        values["agreement"] = (
            Agreement.objects.filter(agency=agency, public_id=reference).first() if reference else None
        )
        if reference and values["agreement"] is None:
            errors["agreement"] = [AGREEMENT_UNKNOWN_MESSAGE]
    if errors:
        raise RuleRefused(errors)
    names = DetainerForm.Meta.fields
    stored = {name: getattr(detainer, name) for name in names} if detainer is not None else {}
    merged = {**stored, **values}
    form = DetainerForm(_form_data(merged, agency.zone), initial=stored or None, agencies=[agency], agency=agency)
    if not form.is_valid():
        raise RuleRefused(_form_errors(form))
    cleaned = dict(form.cleaned_data)
    cleaned.pop("agency", None)
    for name, value in values.items():
        if isinstance(value, datetime) and name in cleaned:
            cleaned[name] = value  # to the second, as the JMS sent it (the form reads whole minutes)
    if "pc_basis" in cleaned and cleaned["pc_basis"] is None:
        cleaned["pc_basis"] = []
    return cleaned
