"""The sections of the public transparency page, in page order, and their titles (issue #12 item 4).

An administrator publishes any subset of them (``TransparencySettings.sections`` holds their keys);
``community.transparency.figures.transparency_sections`` builds one ``Section`` per key, in this order.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: ``(key, title)`` of every publishable section, in the order the page shows them.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("agreements", _("Agreements in force")),
    ("officers", _("Trained and authorized officers")),
    ("detainers", _("Detainers")),
    ("complaints", _("Complaints")),
    ("outreach", _("Community outreach and the steering committee")),
)

#: The section keys alone, in page order.
SECTION_KEYS: tuple[str, ...] = tuple(key for key, _title in SECTIONS)


def section_title(key: str) -> str:
    """The (lazily translated) title of section ``key``.

    Raises:
        KeyError: ``key`` is not one of ``SECTION_KEYS``.
    """
    return dict(SECTIONS)[key]
