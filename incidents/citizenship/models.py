"""U.S.-citizenship claim fields on a detainer, and their vocabularies (DOMAIN.md R5.1–R5.3).

An abstract mixin, so ``incidents.detainers.models.Detainer`` stays readable. The rules
that read these fields (the STOP state) live in ``incidents.citizenship.services``.
"""

from django.conf import settings
from django.db import models


class CitizenshipCategory(models.TextChoices):
    """R5.2 triage of a U.S.-citizenship claim (ICE guidance of 19 Nov 2009; 16001.2)."""

    EVIDENCE_OF_CITIZENSHIP = "evidence_citizen", "The evidence shows the person is a U.S. citizen"
    PROBATIVE = "probative", "Some probative evidence of U.S. citizenship (consult OPLA)"
    NO_PROBATIVE = "no_probative", "No probative evidence of U.S. citizenship"


class CitizenshipResolution(models.TextChoices):
    """How a supervisor closed the claim (R5.2)."""

    CITIZEN_CONFIRMED = "citizen_confirmed", "U.S. citizen confirmed: lift the detainer and release"
    OPLA_ADVISED_CONTINUE = "opla_continue", "Probative evidence reviewed with OPLA: the process may continue"
    NO_PROBATIVE_CONTINUE = "no_probative_continue", "No probative evidence: the process continues (documented)"


class CitizenshipFields(models.Model):
    """A claim or sign of U.S. citizenship, its escalation to ICE and its resolution.

    While a claim or sign is recorded and no resolution is, the detainer is in
    STOP (``incidents.citizenship.services.is_stopped``). Claim → resolution time is the
    R5.3 metric (Galarza: a citizen with ID held about 3 days).
    """

    Category = CitizenshipCategory
    Resolution = CitizenshipResolution

    uscitizenship_claimed = models.BooleanField(
        "The person claims to be a U.S. citizen", default=False, help_text="R5.1: a claim, however made."
    )
    citizenship_sign_us_birthplace = models.BooleanField("Sign: born in the United States", default=False)
    citizenship_sign_us_id = models.BooleanField("Sign: holds a U.S. identity document", default=False)
    citizenship_sign_us_parent = models.BooleanField("Sign: a parent is a U.S. citizen", default=False)
    citizenship_sign_derived = models.BooleanField("Sign: derived or acquired citizenship", default=False)
    citizenship_claim_details = models.TextField("What was said or seen", blank=True)
    citizenship_claim_at = models.DateTimeField(
        "Claim or sign first recorded at", null=True, blank=True, help_text="Start of the claim-to-resolution clock."
    )

    citizenship_category = models.CharField(
        "Triage (R5.2)", max_length=20, choices=CitizenshipCategory.choices, blank=True
    )
    citizenship_opla_consulted_at = models.DateTimeField("OPLA consulted at", null=True, blank=True)
    citizenship_escalated_at = models.DateTimeField("Escalated to ICE at", null=True, blank=True)
    citizenship_escalated_to = models.CharField("Escalated to (ICE officer or office)", max_length=200, blank=True)
    citizenship_escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    citizenship_resolution = models.CharField(
        "Resolution", max_length=24, choices=CitizenshipResolution.choices, blank=True
    )
    citizenship_resolution_note = models.TextField("Resolution: what was decided and why", blank=True)
    citizenship_resolved_at = models.DateTimeField("Resolved at", null=True, blank=True)
    citizenship_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    SIGN_FIELDS = (
        "citizenship_sign_us_birthplace",
        "citizenship_sign_us_id",
        "citizenship_sign_us_parent",
        "citizenship_sign_derived",
    )

    @property
    def citizenship_claim_recorded(self) -> bool:
        """True when a claim or any sign of U.S. citizenship is recorded (R5.1)."""
        return self.uscitizenship_claimed or any(getattr(self, name) for name in self.SIGN_FIELDS)


def stopped_condition() -> models.Q:
    """A detainer in STOP as a query condition (R5.1): a claim or sign recorded, unresolved or citizen confirmed.

    The one definition: ``incidents.citizenship.services.stopped_q`` filters with it, and the detainer's partial
    index ``detainer_stopped_idx`` is built on it, so the planner matches the two (the STOP's same-subject check
    reads the few detainers in STOP, not the whole log).
    """
    claim = models.Q(uscitizenship_claimed=True)
    for name in CitizenshipFields.SIGN_FIELDS:
        claim |= models.Q(**{name: True})
    return claim & models.Q(citizenship_resolution__in=["", CitizenshipResolution.CITIZEN_CONFIRMED.value])
