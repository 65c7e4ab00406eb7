"""Tracking numbers of public complaints: 10 random characters, read over the phone as ``ABCD-EFG-HJK``.

The alphabet has no look-alikes (no 0/O, 1/I/L, no U/V pair: 30 symbols), so a number read
aloud or copied by hand is not mistyped; a typed number is normalised before it is looked up
(case, spaces, dashes). 30¹⁰ ≈ 5.9 × 10¹⁴ numbers: guessing one is hopeless at the status
page's rate limit (20 look-ups an hour per address). Drawn with ``secrets``.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
#: Reading groups: 4-3-3 ("ABCD-EFG-HJK").
GROUPS = (4, 3, 3)


def tracking_number_new() -> str:
    """A new random tracking number, grouped with dashes (e.g. ``"7KQP-X4M-RT9"``); uniqueness is the caller's.

    Returns:
        14 characters: 10 symbols of ``ALPHABET`` and two dashes.
    """
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return _grouped(symbols)


def tracking_number_normalise(typed: str) -> str | None:
    """The stored form of a number a person typed, or None if it cannot be one.

    Upper-cases, drops spaces and dashes, and regroups.

    Args:
        typed: what was typed (any length; only the first 40 characters are read).

    Returns:
        ``"ABCD-EFG-HJK"`` form, or None when it does not have 10 symbols of the alphabet.
    """
    cleaned = "".join(ch for ch in (typed or "")[:40].upper() if ch not in " -\t\u00a0")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return _grouped(cleaned)


def _grouped(symbols: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(symbols[start : start + size])
        start += size
    return "-".join(parts)
