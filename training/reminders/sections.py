"""Further sections of the daily digest, supplied by the floors above (e.g. the MOA checklist's at-risk lines).

``training`` sits below ``compliance``'s topic packages, so it cannot import them; a package above
adds a ``DigestSection`` to ``DIGEST_SECTIONS`` from its app's ``ready()`` (as
``incidents.detainers.checks.CHECKS`` is filled), and ``training.reminders.services`` asks each
section for its lines on every run. A section's lines ride in the same digest as the certification
notices — at most one per recipient and agency-local day (``ReminderDigest``'s unique constraints),
the same e-mail claim (``compliance.core.mail_outbox``) — and a recipient with only such lines
still gets a digest. ``record`` is called inside the digest's transaction, so a line is marked told
exactly when the digest that carries it is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class SectionLine:
    """One line for one user: ``text`` (no personal data), ``link`` (a path in the app), ``key`` (the section's own
    id of what is told). ``today`` is the agency-local date the line is for; ``agency`` a ``compliance.Agency``."""

    key: int
    user: object
    agency: object
    today: date
    text: str
    link: str


@dataclass(frozen=True)
class DigestSection:
    """A section of the digest: its ``title``; ``lines(agency_ids, now)`` → the lines not told yet (for those
    agencies; ``None``: all); ``record(lines, sent_for_date, now)`` marks them told (inside the digest's
    transaction; an ``IntegrityError`` there means another run told them first)."""

    title: str
    lines: Callable[[set[int] | None, datetime], list[SectionLine]]
    record: Callable[[list[SectionLine], date, datetime], None]


#: The sections the floors above registered, in the order they appear after the certification notices.
DIGEST_SECTIONS: list[DigestSection] = []


def digest_section_add(section: DigestSection) -> None:
    """Add ``section`` once (a second ``ready()`` adds nothing)."""
    if all(existing.title != section.title for existing in DIGEST_SECTIONS):
        DIGEST_SECTIONS.append(section)
