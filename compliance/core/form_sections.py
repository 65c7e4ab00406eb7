"""Long forms in named sections, in the order a person fills them (``templates/includes/form_sections.html``).

A form that mixes in ``SectionedFormMixin`` lists its ``sections``; each becomes a
fieldset with a legend (and a link in the list of sections at the top), and the
form's fields are put in that order, so the error summary
(``templates/includes/error_summary.html``) lists errors in the order they appear.
A visible field no section names is never lost: it goes to a last "Other details"
section. A section may have no field of its own and only a note (a step recorded
elsewhere, e.g. a detainer's outcome), shown as a heading and its note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OTHER_SECTION_TITLE = "Other details"


@dataclass(frozen=True)
class FormSection:
    """One section of a long form.

    Attributes:
        key: the section's HTML id is ``section-<key>`` (the list of sections links to it).
        title: the fieldset's legend.
        fields: the names of the form's fields in it, in order (a name the form lacks is skipped).
        hint: a line under the legend: what the section is about, its rule sources.
        note: text shown where the section has no field of the form (a step recorded elsewhere).
    """

    key: str
    title: str
    fields: tuple[str, ...] = ()
    hint: str = ""
    note: str = ""

    @property
    def html_id(self) -> str:
        """The section's HTML id, ``section-<key>``."""
        return f"section-{self.key}"


@dataclass
class BoundSection:
    """A section as rendered: its definition and the form's visible bound fields in it."""

    section: FormSection
    fields: list = field(default_factory=list)

    # The section's own values, for templates: ``section.title`` rather than ``section.section.title``.
    key = property(lambda self: self.section.key)
    html_id = property(lambda self: self.section.html_id)
    title = property(lambda self: self.section.title)
    hint = property(lambda self: self.section.hint)
    note = property(lambda self: self.section.note)


class SectionedFormMixin:
    """A Django form whose fields are shown in ``sections``.

    Call ``order_by_sections()`` at the end of ``__init__``, once every field
    exists. A subclass whose fields have companions (e.g. a "which one?" choice
    that follows a time field) answers them in ``section_companions``.
    """

    sections: tuple[FormSection, ...] = ()

    def section_companions(self, name: str) -> list[str]:
        """Fields that follow field ``name`` wherever it is placed (none by default)."""
        return []

    def _section_names(self) -> list[list[str]]:
        """Per section, the names of the form's fields in it (companions after their field)."""
        placed: list[list[str]] = []
        for section in self.sections:
            names = []
            for name in section.fields:
                for member in (name, *self.section_companions(name)):
                    if member in self.fields and member not in names:
                        names.append(member)
            placed.append(names)
        return placed

    def order_by_sections(self) -> None:
        """Put the form's fields in section order; fields no section names keep their order, after them."""
        listed = [name for names in self._section_names() for name in names]
        self.order_fields(listed)

    def form_sections(self) -> list[BoundSection]:
        """The sections to render, in order, each with its visible bound fields.

        Returns:
            One ``BoundSection`` per section that has a visible field or a note,
            then "Other details" with any visible field no section names.
            Hidden fields are in none (the template renders them once, apart).
        """
        rendered: list[BoundSection] = []
        seen: set[str] = set()
        for section, names in zip(self.sections, self._section_names(), strict=True):
            bound = [self[name] for name in names if not self.fields[name].widget.is_hidden]
            seen.update(names)
            if bound or section.note:
                rendered.append(BoundSection(section, bound))
        rest = [self[name] for name, f in self.fields.items() if name not in seen and not f.widget.is_hidden]
        if rest:
            rendered.append(BoundSection(FormSection("other", OTHER_SECTION_TITLE), rest))
        return rendered
