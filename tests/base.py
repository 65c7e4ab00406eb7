"""Personas shared by every test: two agencies, each with each role, plus an outsider.

Named as people, in the healthchecks style: ``self.staff_a`` works in agency A,
``self.supervisor_b`` supervises in agency B, ``self.auditor`` reads both,
``self.outsider`` holds no permission anywhere. Every password is ``PASSWORD``.
"""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import TestCase

from compliance.core.models import Agency, Agreement, AgreementModel, User
from compliance.core.roles import Role, role_grant

PASSWORD = "correct horse battery staple"
#: Every test user's authenticator-app secret (base32, invented): ``totp_code`` computes its current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(user, secret: str = TOTP_SECRET) -> Authenticator:
    """Give ``user`` an authenticator app with ``secret`` (as enrolling on the MFA page does), once."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app with ``secret`` shows at ``at`` (Unix seconds; now by default)."""
    return format_hotp_value(hotp_value(secret, int(at if at is not None else time.time()) // 30))


def sign_in(client, user) -> None:
    """Sign ``user`` in on ``client`` as having passed both factors (password, then the authenticator's code).

    What allauth's sign-in leaves in the session: the user, and its record of a password
    step and an ``mfa`` step. The sign-in pages themselves are tested through the forms
    (tests/compliance/test_accounts_*.py); this is for tests about everything after it.
    """
    authenticator = enrol_totp(user)
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.username},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def make_user(username: str, *, agency=None, role=None, agencies=()) -> User:
    user = User.objects.create_user(username, f"{username}@example.test", PASSWORD, home_agency=agency)
    for scoped in agencies or ([agency] if agency else []):
        role_grant(user=user, agency=scoped, role=role)
    return user


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency_a = Agency.objects.create(
            name="Alder County Sheriff's Office", state="TX", county="Alder County", time_zone="America/Chicago"
        )
        cls.agency_b = Agency.objects.create(
            name="Birch City Police Department", state="AZ", county="Birch County", time_zone="America/Phoenix"
        )
        cls.agreement_a = Agreement.objects.create(agency=cls.agency_a, model=AgreementModel.JEM)
        cls.agreement_b = Agreement.objects.create(agency=cls.agency_b, model=AgreementModel.WSO)

        cls.staff_a = make_user("staff_a", agency=cls.agency_a, role=Role.STAFF)
        cls.supervisor_a = make_user("supervisor_a", agency=cls.agency_a, role=Role.SUPERVISOR)
        cls.admin_a = make_user("admin_a", agency=cls.agency_a, role=Role.ADMINISTRATOR)
        cls.staff_b = make_user("staff_b", agency=cls.agency_b, role=Role.STAFF)
        cls.supervisor_b = make_user("supervisor_b", agency=cls.agency_b, role=Role.SUPERVISOR)
        cls.auditor_a = make_user("auditor_a", agency=cls.agency_a, role=Role.AUDITOR)
        cls.auditor = make_user(
            "auditor", agency=cls.agency_a, role=Role.AUDITOR, agencies=[cls.agency_a, cls.agency_b]
        )
        cls.outsider = make_user("outsider")
