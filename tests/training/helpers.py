"""Invented roster data for training tests (names, badges and numbers are made up)."""

from datetime import date

from compliance.core.models import Agreement
from training.roster import rules
from training.roster.models import Certification, Course, Officer

# What a designation needs on the officer's own record: the nomination checklist (R2.8) and the ICE credential (R2.9).
QUALIFIED = {
    "us_citizen": True,
    "lea_background_check_on": date(2019, 1, 10),
    "ice_background_check_on": date(2019, 2, 10),
    "privacy_waiver_on_file": True,
    "service_commitment_signed": True,
    "ice_credential_id": "ICE-TEST-1",
    "ice_credential_issued_on": date(2019, 3, 1),
}


def make_course(agency, code="IADP", *, validity_months=24, required=True, name=None) -> Course:
    return Course.objects.create(
        agency=agency, code=code, name=name or f"{code} course", validity_months=validity_months, required=required
    )


def officer_fields(agency, *, qualified: bool = True, **fields) -> dict:
    """Model fields of a test officer: by default designated, as a designation leaves the record.

    A designated (or suspended) officer serves under the agency's first
    agreement and has the nomination checklist and ICE credential on file
    (``QUALIFIED``), so the authorization rule turns on its training and dates
    alone. Any field given wins (``agreement=None``, ``us_citizen=False`` …);
    another status, or ``qualified=False`` (a bare row from before the
    lifecycle was recorded), gets none of the defaults.
    """
    status = fields.setdefault("status", Officer.Status.DESIGNATED)
    if qualified and status in (Officer.Status.DESIGNATED, Officer.Status.SUSPENDED):
        if "agreement" not in fields:
            fields["agreement"] = Agreement.objects.filter(agency=agency).order_by("pk").first()
        for name, value in QUALIFIED.items():
            fields.setdefault(name, value)
    return fields


def make_officer(agency, badge="B-100", *, last="Testperson", first="Jordan", **fields) -> Officer:
    """A test officer (``officer_fields``: designated and qualified unless told otherwise)."""
    return Officer.objects.create(
        agency=agency, badge_number=badge, last_name=last, first_name=first, **officer_fields(agency, **fields)
    )


def designate_on_record(officer, **fields) -> Officer:
    """Mark ``officer`` designated and qualified (``QUALIFIED``) straight in its row, with no status change.

    As an officer designated before the roster was kept here looks (and as a
    designated officer whose training later lapsed or whose agreement gained a
    requirement does): the services no longer designate an officer without the
    training, so tests of designated officers in every training state start
    from the row. The stored training facts do not depend on these fields.
    """
    values = {"status": Officer.Status.DESIGNATED, **QUALIFIED, **fields}
    Officer.objects.filter(pk=officer.pk).update(**values)
    officer.refresh_from_db()
    return officer


def make_certification(officer, course, completed_on: date, *, expires_on: date | None = None) -> Certification:
    """A certification; ``expires_on`` defaults to the rule, or is forced for expiry-date cases."""
    return Certification.objects.create(
        agency=officer.agency,
        officer=officer,
        course=course,
        completed_on=completed_on,
        expires_on=expires_on or rules.certification_expires_on(completed_on, course.validity_months),
    )


class RefusingEmailBackend:
    """A mail server that is down: connecting raises, as smtplib does (and so does a send on any connection)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def close(self):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def roster_search(client, params: dict) -> dict:
    """``params`` with a ``q`` (name or badge) turned into the roster's ``search`` token, as the page does.

    The text is POSTed to the roster (SECURITY.md F6: never in a URL); the token comes back in the
    redirect's query string and reads on the roster page and its exports in the same session.
    """
    params = dict(params)
    text = params.pop("q", None)
    if text is None:
        return params
    from urllib.parse import parse_qs, urlparse

    from django.urls import reverse

    query = {"agency": params["agency"]} if params.get("agency") else {}
    url = reverse("training:roster") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    response = client.post(url, {"q": text})
    assert response.status_code == 302, response.status_code
    assert text.lower() not in response.url.lower()
    params["search"] = parse_qs(urlparse(response.url).query)["search"][0]
    return params
