"""Signing in through allauth's real pages in the test client: the password form, then the code form."""

from django.urls import reverse

from tests.base import PASSWORD

LOGIN_URL = reverse("account_login")
CODE_URL = reverse("mfa_authenticate")
ENROL_URL = reverse("mfa_index")


def post_password(client, username: str, password: str = PASSWORD):
    """POST the sign-in form (``login``, ``password``); the response, not followed."""
    return client.post(LOGIN_URL, {"login": username, "password": password})


def post_code(client, code: str):
    """POST the second-factor form with ``code``; the response, not followed."""
    return client.post(CODE_URL, {"code": code})


def sign_out(client) -> None:
    """POST the sign-out form."""
    client.post(reverse("account_logout"))


def session_key(client) -> str | None:
    """The session cookie's value in ``client`` (None before any session)."""
    from django.conf import settings

    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None
