"""Invented roster data for training tests (names, badges and numbers are made up)."""

from datetime import date

from training.roster import rules
from training.roster.models import Certification, Course, Officer


def make_course(agency, code="IADP", *, validity_months=24, required=True, name=None) -> Course:
    return Course.objects.create(
        agency=agency, code=code, name=name or f"{code} course", validity_months=validity_months, required=required
    )


def make_officer(agency, badge="B-100", *, last="Testperson", first="Jordan", **fields) -> Officer:
    return Officer.objects.create(agency=agency, badge_number=badge, last_name=last, first_name=first, **fields)


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
    """A mail server that is down: every send raises, as smtplib does."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
