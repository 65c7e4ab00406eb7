"""The REST API for jail management systems under ``/api/v1/`` (issue #15 items 3–4): integrations' tokens, the
records a JMS exchanges (detainers and bookings, releases and transfers, an officer's authorization at an instant),
problem details, idempotency, and the feed of events out (polling and webhooks)."""
