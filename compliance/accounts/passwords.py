"""Passwords an attacker guesses first are refused, saying why (SECURITY.md A5; ASVS5 6.2.4, 6.2.11, 6.2.12).

Django's validators cover length, the common-password list and likeness to the user's own
fields. Two more here: ``ContextWordsValidator`` refuses the words an attacker aiming at this
system tries first ("287g", "ICE", the username, the user's agencies' names), and
``DecoratedCommonPasswordValidator`` a common password with digits or symbols added around it
("Password123!"), which Django's list misses.
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

#: Words of this system every password guess list for it would hold.
SYSTEM_WORDS = ("287g", "ice")
#: Words of an agency's name too common to count as its name ("Alder County Sheriff's Office" → "alder").
GENERIC_NAME_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "county",
        "city",
        "town",
        "village",
        "parish",
        "state",
        "police",
        "department",
        "sheriff",
        "sheriffs",
        "office",
        "corrections",
        "correctional",
        "detention",
        "center",
        "jail",
        "marshal",
        "marshals",
        "public",
        "safety",
    ]
)
#: The refusal, naming the word (the user's own username or agency, or a word of this system).
MESSAGE = "This password contains “%(word)s”, a word tied to this system or to you; choose a password without it."


def _compact(text: str) -> str:
    """``text`` lower-cased with everything but letters and digits removed ("287(g) ICE" → "287gice")."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _tokens(text: str) -> list[str]:
    """The runs of letters and digits in ``text``, lower-cased, with "287(g)" read as "287g"."""
    return re.findall(r"[0-9a-z]+", text.lower().replace("(g)", "g"))


def context_words(user) -> list[str]:
    """The words a password of ``user`` must not contain: the username and their agencies' distinctive name words.

    Args:
        user: a ``compliance.core.models.User`` (saved or not), or None.

    Returns:
        Lower-case words of three or more letters, without repeats.
    """
    words: list[str] = []
    if user is None:
        return words
    username = _compact(user.get_username() or "")
    if len(username) >= 3:
        words.append(username)
    agencies = []
    if getattr(user, "home_agency_id", None):
        agencies.append(user.home_agency)
    if user.pk:
        from compliance.core.access import agencies_for

        agencies.extend(agencies_for(user))
    for agency in agencies:
        words.append(_compact(agency.name))
        words.extend(w for w in _tokens(agency.name) if len(w) >= 4 and w not in GENERIC_NAME_WORDS)
    return list(dict.fromkeys(w for w in words if w))


class ContextWordsValidator:
    """Refuses a password holding "287g", the word "ICE", the username or an agency's name (SECURITY.md A5).

    "ICE" counts as a word of its own ("ice agent", "ice2025") or in capitals ("myICEpass"), not
    inside another word ("practice"); the others count anywhere, ignoring case, spaces and punctuation.
    """

    def validate(self, password: str, user=None) -> None:
        """Raise ``ValidationError`` (code ``password_context_word``) naming the first context word found."""
        compact = _compact(password)
        found = None
        if "287g" in compact:
            found = "287g"
        elif re.search(r"(?<![a-z])ice(?![a-z])", password.lower()) or "ICE" in password:
            found = "ICE"
        else:
            found = next((word for word in context_words(user) if word in compact), None)
        if found:
            raise ValidationError(MESSAGE, code="password_context_word", params={"word": found})

    def get_help_text(self) -> str:
        """The rule in one sentence for the password forms."""
        return "Your password cannot contain “287g”, “ICE”, your username or your agency’s name."


#: The refusal of a common password with digits or symbols around it.
DECORATED_MESSAGE = (
    "This password is too common: it is “%(word)s” with digits or symbols added, which is among the first "
    "guesses an attacker tries."
)


class DecoratedCommonPasswordValidator(CommonPasswordValidator):
    """Refuses a common password with digits or symbols before or after it ("Password123!", "!!dragon2024").

    The core (the password without the digits and symbols at its ends, lower-cased) is looked
    up in Django's list of 20,000 common passwords. Digits and symbols inside the password
    ("pass word") leave it alone.
    """

    def validate(self, password: str, user=None) -> None:
        """Raise ``ValidationError`` (code ``password_too_common``) naming the common core."""
        core = re.sub(r"^[^A-Za-z]+|[^A-Za-z]+$", "", password).lower()
        if core and core != password.lower() and core in self.passwords:
            raise ValidationError(DECORATED_MESSAGE, code="password_too_common", params={"word": core})

    def get_help_text(self) -> str:
        """The rule in one sentence for the password forms."""
        return "Your password cannot be a common password with digits or symbols added."
