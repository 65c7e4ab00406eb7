"""Names as people have them: one way to store a person's name, one key to compare it, one way to show it.

Every path in — the officer and detainer forms, the roster import, the admin — stores a
name through ``name_clean`` (Unicode NFC, outer whitespace trimmed), and every comparison
— the citizenship STOP's same-subject match (R5.1), the import's "same officer, same
name" check, the roster search, the detainer log's name look-up — goes through
``name_key``. So a name pasted from a PDF in decomposed form (``A`` + U+0301), typed in
capitals, or with a typographic apostrophe is the same person as the one typed by hand.

Where the comparison happens in the database, the key is stored in a ``NameKeyField``
next to the name (e.g. ``Officer.last_name_key``), derived from the name at every save
(like ``auto_now``), so SQLite and PostgreSQL compare the same folded strings: no
reliance on the database's case folding (SQLite's ``LIKE`` and ``lower()`` fold ASCII
only; PostgreSQL's depend on the collation).

A person with a single name (e.g. ``Suharto``) has it as the last name and no first
name; ``name_display`` shows ``Suharto``, never ``Suharto,``
(``docs/decisions/names.md``).

An encrypted name (a detainer's subject: SECURITY.md E4) cannot be compared in the database; beside it a
``NameIndexField`` stores ``name_index``, the keyed blind index of its ``name_key``, and look-ups compare that.
"""

from __future__ import annotations

import re
import unicodedata

from compliance.core.crypto.cipher import blind_index
from compliance.core.crypto.fields import BlindIndexField
from compliance.core.derived_fields import DerivedField

#: Format characters a paste from a PDF or a word processor carries into a name but nobody
#: sees: soft hyphen, zero-width space / non-joiner / joiner, word joiner, byte order mark,
#: and the bidirectional marks, embeddings, overrides and isolates.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069"
_OUTER = re.compile(rf"^[\s{_INVISIBLE}]+|[\s{_INVISIBLE}]+$")
_INVISIBLE_RUN = re.compile(rf"[{_INVISIBLE}]+")
#: The dot of i and j written as a combining mark, as ``"İ".lower()`` gives it.
_SOFT_DOT = re.compile("(?<=[ij])\u0307")

#: Folded in the key: typographic apostrophes (O’Brien, N‘Diaye, ʻOhana) and hyphens/dashes
#: (Smith‐Jones from a PDF) compare as the ASCII ones people type; dotless ı as i.
_FOLDS = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u02bb": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        # Capitals cannot tell dotless ı from i (IŞIK is Işık or Isik; ICE forms print names in capitals):
        # so neither does the key.
        "\u0131": "i",
    }
)

#: Longest key stored. A stored name is at most 100 characters; compatibility
#: decomposition can lengthen a few characters many times over (U+FDFA becomes 18), so
#: the key is cut here and a look-up's key is cut the same way. 200 characters of at
#: most 4 bytes stay well inside PostgreSQL's limit for one index entry.
KEY_MAX_LENGTH = 200


def name_clean(value: str | None) -> str:
    """A name as it is stored: Unicode NFC, outer whitespace and invisible format characters trimmed.

    Args:
        value: a name as typed, pasted or read from a file; None counts as "".

    Returns:
        The name to store and show. Letters, case, accents, inner spaces, hyphens and
        apostrophes are kept exactly as given (``"  A\u0301lvarez "`` → ``"Álvarez"``,
        ``"de la Cruz"`` stays ``"de la Cruz"``). "" when nothing visible is left.
        Never raises.
    """
    return _OUTER.sub("", unicodedata.normalize("NFC", value or ""))


def _fold(text: str) -> str:
    text = _INVISIBLE_RUN.sub("", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SOFT_DOT.sub("", unicodedata.normalize("NFKC", text.translate(_FOLDS)))
    return " ".join(text.split())[:KEY_MAX_LENGTH].rstrip()


def name_key(value: str | None) -> str:
    """The key two names are compared by: the same key means the same name.

    Unicode compatibility normalisation (NFKC: decomposed accents, ligatures like ``ﬁ``
    and full-width letters from a PDF), full case folding (``ÁLVAREZ`` → ``álvarez``,
    ``STRAẞE`` → ``strasse``), invisible format characters removed, typographic
    apostrophes and dashes as ASCII ones, dotless ``ı`` as ``i`` (capitals cannot tell
    them apart: ``IŞIK``, ``Işık``), runs of whitespace as one space, outer whitespace
    trimmed, at most ``KEY_MAX_LENGTH`` characters. Accents stay significant: ``Peña``
    and ``Pena`` are different names.

    Args:
        value: a name in any form; None counts as "".

    Returns:
        The key (idempotent: ``name_key(name_key(x)) == name_key(x)``). Never raises.
    """
    text = value or ""
    # Each step can expose what an earlier one would have changed (folding after
    # normalising can leave text that normalises again): repeat until nothing moves.
    for _ in range(5):
        folded = _fold(text)
        if folded == text:
            break
        text = folded
    return text


def name_display(last: str, first: str = "") -> str:
    """A person's name as shown everywhere: ``"Last, First"``, or the single name alone.

    Args:
        last: the last (family) name, or the only name of a person who has one.
        first: the first (given) names; "" for a person with a single name.

    Returns:
        ``"Álvarez, María"``; ``"Suharto"`` (no comma, no trailing space) when ``first`` is
        blank; the stored spelling unchanged. Never raises.
    """
    return ", ".join(part for part in (last, first) if part)


class NameKeyField(DerivedField):
    """The ``name_key`` of another field of the same model, derived at every save; never typed.

    Like ``auto_now``, the value is set in ``pre_save`` (``compliance.core.derived_fields``), so every save
    path keeps it in step with the name; ``compliance.core.bulk_history`` recomputes it on ``update()`` and
    ``bulk_update()`` of the name. Excluded from history (derived, like the roster's training facts).

    Args:
        source: the name of the field holding the name, e.g. ``"last_name"``.
    """

    DEFAULT_MAX_LENGTH = KEY_MAX_LENGTH

    def derive(self, value) -> str:
        return name_key(value)


#: The blind-index purpose of encrypted names (``NameIndexField``, ``name_index``).
NAME_INDEX_PURPOSE = "person name"


def name_index(value: str | None) -> str:
    """The keyed blind index of a name's ``name_key``: how an encrypted name is looked up exactly.

    ``name_index("ÁLVAREZ") == name_index("alvarez ")`` when their keys are equal; ``""`` for a blank name.
    The key is ``settings.BLIND_INDEX_KEY`` (``compliance.core.crypto``; SECURITY.md E4): the stored index
    gives away neither the name nor its key.
    """
    return blind_index(NAME_INDEX_PURPOSE, name_key(value))


class NameIndexField(BlindIndexField):
    """``name_index`` of an encrypted name field of the same model, derived at every save (like ``NameKeyField``).

    Args:
        source: the encrypted name field, e.g. ``"subject_last_name"``.
    """

    def __init__(self, *args, source: str, **kwargs):
        kwargs["purpose"] = NAME_INDEX_PURPOSE
        super().__init__(*args, source=source, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("purpose", None)
        return name, path, args, kwargs

    def normalise(self, value) -> str:
        """A name's ``name_key``: what its index is computed from."""
        return name_key(value)
