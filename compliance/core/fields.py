"""Guards shared by the write services of every app."""

from __future__ import annotations

from collections.abc import Iterable


def refuse_unknown_fields(given: Iterable[str], allowed: frozenset[str] | set[str], what: str) -> None:
    """Refuse field names a service does not write.

    Args:
        given: the field names passed to the service (keyword arguments).
        allowed: the names the service accepts.
        what: the service's name, for the message.

    Raises:
        TypeError: a name outside ``allowed`` (a programming error, never user input), listing them sorted.
    """
    unknown = set(given) - set(allowed)
    if unknown:
        raise TypeError(f"{what} got unknown fields: {', '.join(sorted(unknown))}")
