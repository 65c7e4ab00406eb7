"""Vocabularies of the detainer record: the I-247A's boxes and the compliance fields.

Kept apart from ``incidents.detainers.models`` so forms, checks and imports share one
list each. Sources: DOMAIN.md §7.1 (fields printed on the I-247A (02/17)),
§7.2 (fields compliance adds), R3.3 (priority levels), R4.2/R4.4 (probable
cause), R4.7 (what ends state custody), R1.6 (actions per agreement model).
"""

from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    """The I-247A's "sex" field (DOMAIN.md §7.1)."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not stated"


class OffenseLevel(models.IntegerChoices):
    """Priority level of the underlying offense, 2009-era MOAs (DOMAIN.md R3.3; GAO-09-109).

    Later MOA templates (2017+) may drop the levels ([U]); the field stays optional.
    """

    LEVEL_1 = 1, "Level 1 — major drug or violent offense (murder, manslaughter, rape, robbery, kidnapping)"
    LEVEL_2 = 2, "Level 2 — minor drug offense or mainly property offense (burglary, larceny, fraud)"
    LEVEL_3 = 3, "Level 3 — other offenses (e.g. traffic)"


class PCBasis(models.TextChoices):
    """Probable-cause basis stated on the detainer.

    The first four are the I-247A's Box 1 checkboxes (R4.2). The last two are not
    probable cause and are recorded only so that a detainer stating them is
    flagged (R4.4: ICE Policy 10074.2; Miranda-Olivares v. Clackamas County,
    D. Or. 2014; Gonzalez v. ICE, C.D. Cal. 2019).
    """

    FINAL_ORDER = "final_order", "A final order of removal against the subject"
    PENDING_PROCEEDINGS = "pending_proceedings", "Pending removal proceedings against the subject"
    BIOMETRIC_MATCH = (
        "biometric_match",
        "Biometric confirmation plus database checks showing no lawful status or removability",
    )
    STATEMENTS = "statements", "Statements by the subject or other reliable evidence"
    INVESTIGATION_INITIATED = "investigation_initiated", "Investigation initiated (not probable cause)"
    FOREIGN_BORN_NO_MATCH = "foreign_born_no_match", "Foreign-born, no database match (not probable cause)"


#: The four Box 1 bases of the I-247A (R4.2).
VALID_PC_BASES = frozenset(
    {PCBasis.FINAL_ORDER, PCBasis.PENDING_PROCEEDINGS, PCBasis.BIOMETRIC_MATCH, PCBasis.STATEMENTS}
)
#: Bases that are never probable cause (R4.4, Gonzalez, Miranda-Olivares).
FLAGGED_PC_BASES = frozenset({PCBasis.INVESTIGATION_INITIATED, PCBasis.FOREIGN_BORN_NO_MATCH})


class ReleaseCause(models.TextChoices):
    """What would end state custody: the start of the 48-hour hold clock (DOMAIN.md R4.7)."""

    BAIL_POSTED = "bail_posted", "Bail posted"
    CHARGES_DISMISSED = "charges_dismissed", "Charges dismissed"
    SENTENCE_SERVED = "sentence_served", "Sentence served"
    RELEASE_ORDERED = "release_ordered", "Release ordered"


class Action(models.TextChoices):
    """The delegated 287(g) action the handling officer took on this detainer (DOMAIN.md §1.2, R1.6)."""

    INTERVIEW = "interview", "Interview about alienage or removability"
    PROCESS = "process", "Processing (database checks, removal paperwork, issue detainer)"
    SERVE_WARRANT = "serve_warrant", "Serve the ICE warrant (I-200/I-205)"
    EXECUTE_ARREST_IN_FACILITY = "execute_arrest_in_facility", "Execute the ICE arrest in the facility"
    FIELD_ARREST = "field_arrest", "Arrest during field duties"


class InterpreterType(models.TextChoices):
    """How interpretation was given (DOMAIN.md R3.8 ``interpreter_type``; MOA civil-rights / interpreter section)."""

    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video"
    NONE = "none", "No interpreter"
