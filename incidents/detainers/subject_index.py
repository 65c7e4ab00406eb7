"""How a detainer's encrypted subject is found: the one answer for every exact look-up (SECURITY.md E4).

The subject's names, date of birth and A-number are stored encrypted (``compliance.core.crypto``), so the
database cannot compare them. Each look-up compares keyed blind indexes stored beside them instead:
``a_number_index`` for the A-number, ``subject_last_name_key``/``subject_first_name_key`` (``name_index``) for
the names. Used by the detainer log's look-ups, the citizenship STOP's same-subject match, the records request
and the legal hold on a subject. A date of birth is compared in Python on the few rows a name matched.
"""

from __future__ import annotations

from django.db.models import Q

from compliance.core.crypto.cipher import blind_index
from compliance.core.names import name_index

#: The blind-index purpose of the A-number (``Detainer.a_number_index``).
A_NUMBER_PURPOSE = "a-number"


def a_number_index(a_number: str) -> str:
    """The stored index of an A-number already normalised (``validators.a_number_normalise``: ``A`` + 9 digits).

    ``""`` for ``""``. Never raises.
    """
    return blind_index(A_NUMBER_PURPOSE, (a_number or "").strip())


def a_number_q(a_number: str) -> Q:
    """Detainers whose A-number is ``a_number`` (normalised); ``a_number_q("")``: detainers with none."""
    return Q(a_number_index=a_number_index(a_number))


def subject_name_q(last: str, first: str | None = None) -> Q:
    """Detainers whose subject has the name ``last`` (and ``first``, unless None: any first name).

    Compared by ``compliance.core.names.name_key`` through its blind index: ``ÁLVAREZ`` finds ``álvarez``.
    """
    found = Q(subject_last_name_key=name_index(last))
    if first is not None:
        found &= Q(subject_first_name_key=name_index(first))
    return found
