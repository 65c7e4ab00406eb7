"""Format rules for identifiers on the detainer record: the A-number and the country of citizenship.

Each ``*_normalise`` function returns the stored form or raises
``ValidationError`` with a message meant to be shown next to the field; the
``validate_*`` functions accept only the stored form (model validators, so
imports and the admin refuse what the form would).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

A_NUMBER_MESSAGE = (
    "An A-number is the letter A followed by 8 or 9 digits, e.g. A012345678 or A12345678 "
    "(spaces and hyphens are ignored)."
)
COUNTRY_MESSAGE = "Use the two-letter ISO 3166 country code, e.g. MX for Mexico or GT for Guatemala."

_A_NUMBER_INPUT = re.compile(r"A?(\d{8,9})")
_A_NUMBER_STORED = re.compile(r"A\d{9}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def a_number_normalise(value: str) -> str:
    """The stored form of a typed A-number (alien registration / file number, I-247A "File No.").

    Args:
        value: as typed or read from a file: an optional letter A (any case)
            followed by 8 or 9 digits; spaces, hyphens and dots are ignored.

    Returns:
        ``"A"`` and 9 digits: an 8-digit number is padded with a leading zero
        (``A12345678`` → ``A012345678``), the form ICE systems print. ``""`` for blank.

    Raises:
        ValidationError: 7 or fewer, or 10 or more digits, or any other character
            (``A_NUMBER_MESSAGE``, code ``a_number``).

    Source: DOMAIN.md §7.1 (``file_number``, the A-number on Form I-247A).
    """
    text = re.sub(r"[\s.\-]", "", value or "").upper()
    if not text:
        return ""
    match = _A_NUMBER_INPUT.fullmatch(text)
    if match is None:
        raise ValidationError(A_NUMBER_MESSAGE, code="a_number")
    return "A" + match.group(1).zfill(9)


def validate_a_number(value: str) -> None:
    """Model validator: blank or the stored form ``A`` + 9 digits (``a_number_normalise``)."""
    if value and not _A_NUMBER_STORED.fullmatch(value):
        raise ValidationError(A_NUMBER_MESSAGE, code="a_number")


def country_code_normalise(value: str) -> str:
    """The stored form (upper-case ISO 3166-1 alpha-2) of a typed country of citizenship; ``""`` for blank.

    Only the format is checked (two letters): no country list ships with the
    installed packages, and the consular-notification country table
    (``incidents.consular.models.ConsularCountry``, R5.6) is the place for names.

    Raises:
        ValidationError: not two letters (``COUNTRY_MESSAGE``, code ``country``).
    """
    text = (value or "").strip().upper()
    if not text:
        return ""
    if not _COUNTRY.fullmatch(text):
        raise ValidationError(COUNTRY_MESSAGE, code="country")
    return text


def validate_country_code(value: str) -> None:
    """Model validator: blank or two upper-case letters."""
    if value and not _COUNTRY.fullmatch(value):
        raise ValidationError(COUNTRY_MESSAGE, code="country")
