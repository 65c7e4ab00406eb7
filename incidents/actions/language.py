"""Language access when a detainer is served on the subject (DOMAIN.md R3.8), as a pure rule.

R3.8 (MOA civil-rights and interpreter-services section): store ``language``,
``interpreter_used`` and ``interpreter_type`` on every interview and every
service of a form. For the service of the detainer those are
``Detainer.service_language``, ``interpreter_used`` and
``service_interpreter_type`` (``InterpreterType``, the same vocabulary as the
287(g) action log). ``incidents.detainers.services.detainer_record_service`` refuses a
service that breaks the rule; ``incidents.custody.forms.ServiceForm`` shows the
same messages next to its fields.
"""

from __future__ import annotations

from incidents.detainers.choices import InterpreterType

LANGUAGE_REQUIRED_MESSAGE = "Say in which language the copy was served or explained (R3.8)."
INTERPRETER_TYPE_REQUIRED_MESSAGE = "Say how the interpreter served: in person, by telephone or by video (R3.8)."
INTERPRETER_NOT_USED_MESSAGE = "An interpreter type was given: tick “An interpreter was used”, or clear the type."

#: The kinds of interpreter a used interpreter may be (``none`` is what an unused one is stored as).
USED_TYPES = tuple(value for value in InterpreterType.values if value != InterpreterType.NONE)


def service_language_errors(*, language: str, interpreter_used: bool, interpreter_type: str) -> dict[str, str]:
    """The R3.8 problems of a service's language fields, keyed by field name; empty when none.

    Args:
        language: the language the copy was served or explained in (already stripped).
        interpreter_used: whether an interpreter was used.
        interpreter_type: an ``InterpreterType`` value, or "" when not given.

    Returns:
        ``{"service_language": ...}`` when blank; ``{"service_interpreter_type": ...}`` when an
        interpreter was used without a kind (or with an unknown one); ``{"interpreter_used": ...}``
        when a kind was given but no interpreter was used.
    """
    errors: dict[str, str] = {}
    if not language:
        errors["service_language"] = LANGUAGE_REQUIRED_MESSAGE
    if interpreter_used and interpreter_type not in USED_TYPES:
        errors["service_interpreter_type"] = INTERPRETER_TYPE_REQUIRED_MESSAGE
    elif not interpreter_used and interpreter_type not in ("", InterpreterType.NONE):
        errors["interpreter_used"] = INTERPRETER_NOT_USED_MESSAGE
    return errors


def stored_interpreter_type(*, interpreter_used: bool, interpreter_type: str) -> str:
    """What ``Detainer.service_interpreter_type`` stores: the kind when used, ``none`` otherwise."""
    return interpreter_type if interpreter_used else InterpreterType.NONE
