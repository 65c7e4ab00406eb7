"""The I-247A's own fields and the compliance fields of the detainer record, as an abstract mixin.

``incidents.detainers.models.Detainer`` inherits ``RecordFields``. Sources: DOMAIN.md §7.1
(fields printed on Form I-247A (02/17)) and §7.2 (fields compliance adds);
the vocabularies are in ``incidents.detainers.choices``; the rules that read these
fields are in ``incidents.detainers.checks``.
"""

from __future__ import annotations

from django.db import models

from compliance.core.crypto.fields import BlindIndexField, EncryptedCharField
from incidents.detainers.choices import Action, OffenseLevel, ReleaseCause, Sex
from incidents.detainers.subject_index import A_NUMBER_PURPOSE
from incidents.detainers.validators import validate_a_number, validate_country_code


class RecordFields(models.Model):
    """The detainer's I-247A and compliance fields (all optional, so older rows stay valid)."""

    # Subject, as printed on the I-247A (personal data: views are access-logged).
    subject_sex = models.CharField("Subject's sex", max_length=1, choices=Sex.choices, blank=True)
    subject_country_of_citizenship = models.CharField(
        "Subject's country of citizenship",
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="Two-letter ISO 3166 code as stated on the detainer, e.g. MX.",
    )
    # Encrypted (compliance.core.crypto; SECURITY.md E4): exact look-ups compare ``a_number_index`` with
    # ``incidents.detainers.subject_index.a_number_index``.
    a_number = EncryptedCharField(
        "A-number",
        max_length=10,
        blank=True,
        validators=[validate_a_number],
        help_text="The I-247A's File No.: A followed by 8 or 9 digits; stored as A and 9 digits.",
        purpose="detainer.a_number",
    )
    a_number_index = BlindIndexField(source="a_number", purpose=A_NUMBER_PURPOSE)
    offense_level = models.PositiveSmallIntegerField(
        "Offense level", choices=OffenseLevel.choices, null=True, blank=True, help_text="Priority level (R3.3)."
    )

    # The detainer form itself.
    form_version = models.CharField(
        max_length=40, blank=True, help_text='Edition printed on the form, e.g. "I-247A (02/17)".'
    )
    issuing_office = models.CharField(
        "Issuing DHS office", max_length=150, blank=True, help_text="The I-247A's “From” office."
    )
    box_1_probable_cause = models.BooleanField(
        "Box 1: DHS determined probable cause that the subject is removable", default=False
    )
    box_2_transfer_for_proceeding = models.BooleanField(
        "Box 2: the subject was transferred from DHS for a proceeding", default=False
    )
    pc_basis = models.JSONField(
        "Probable-cause basis",
        default=list,
        blank=True,
        help_text="Values of incidents.detainers.choices.PCBasis (R4.2, R4.4).",
    )

    # Custody and authority.
    release_cause = models.CharField("What ends state custody", max_length=20, choices=ReleaseCause.choices, blank=True)
    local_hold_authority = models.CharField(
        "Local legal authority relied on to hold",
        max_length=300,
        blank=True,
        help_text="The state or local law the agency relies on; a detainer is a request, not an order (R4.9).",
    )
    ice_supervisor = models.CharField(
        "Supervising ICE officer", max_length=150, blank=True, help_text="Name or ID of the ICE officer (R3.4)."
    )
    agreement = models.ForeignKey(
        "compliance.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="detainers",
        help_text="The MOA the 287(g) action is taken under (R1.6).",
    )
    action = models.CharField(
        "287(g) action taken", max_length=30, choices=Action.choices, blank=True, help_text="Checked against R1.6."
    )
    action_at = models.DateTimeField(
        "Action taken at",
        null=True,
        blank=True,
        help_text="When the handling officer acted (for a WSO arrest, the start of ICE's 48 hours, R1.7).",
    )

    class Meta:
        abstract = True
