"""An integration with its token, and a JMS's detainer body, for the API tests."""

from __future__ import annotations

from rest_framework.test import APIClient

from compliance.integrations.services import integration_create


def make_integration(agency, *, actor, name: str = "Jail management system (invented)"):
    """A new integration of ``agency`` made by ``actor`` (an administrator there): (integration, token)."""
    created = integration_create(agency=agency, actor=actor, name=name)
    return created.integration, created.token


def api_client(token: str | None) -> APIClient:
    """A client sending ``Authorization: Bearer <token>`` (none without a token)."""
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def detainer_body(**overrides) -> dict:
    """A JMS's booking and I-247A: received 2026-03-07 08:30 CST (14:30 UTC), release due 2026-03-07 09:00 CST."""
    body = {
        "subject_last_name": "Newperson",
        "subject_first_name": "Robin",
        "subject_date_of_birth": "1988-07-14",
        "booking_number": "BK-20001",
        "booked_at": "2026-03-07T02:00:00Z",
        "underlying_charge": "Theft (invented)",
        "form": "I-247A",
        "issued_at": "2026-03-07T14:00:00Z",
        "received_at": "2026-03-07T14:30:00Z",
        "warrant_type": "I-205",
        "warrant_signed": True,
        "would_be_released_at": "2026-03-07T15:00:00Z",
    }
    body.update(overrides)
    return body
