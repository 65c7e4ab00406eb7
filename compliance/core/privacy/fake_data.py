"""The reserved range of fake A-numbers for demo, test, bench and training data (SECURITY.md G2).

``A999000000``–``A999999999``: the A-number is a sequential USCIS/ICE file number (9 digits today) and numbers
issued so far are far below ``A999…`` (new numbers are in the low ``A2…`` range), so a number from this range
cannot be a real person's for decades. The low numbers (``A0…``) are the opposite: the oldest files, real
people. ``docs/privacy/fake-data.md`` says why; CI refuses fixtures with any other A-number
(``tests/compliance/test_privacy_inventory.py``).
"""

from __future__ import annotations

import re

#: The reserved fake range, in the stored form (``A`` + 9 digits) or typed with dashes.
FAKE_A_NUMBER = re.compile(r"A-?999-?\d{3}-?\d{3}")


def is_fake_a_number(value: str) -> bool:
    """True when ``value`` (an A-number as stored ``A999012345`` or typed ``A-999-012-345``) is in the fake range."""
    return bool(FAKE_A_NUMBER.fullmatch(value.strip().upper()))


def fake_a_number(n: int) -> str:
    """The ``n``-th fake A-number (0 ≤ n < 1,000,000), stored form: ``fake_a_number(12)`` is ``"A999000012"``."""
    if not 0 <= n < 1_000_000:
        raise ValueError("n must be from 0 to 999,999")
    return f"A999{n:06d}"
