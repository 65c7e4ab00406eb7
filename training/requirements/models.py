"""Training requirements of an agreement (MOA): which courses its officers must hold, and when they fall due."""

from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel
from training.roster.models import Course


class TrainingRequirement(AgencyScopedModel):
    """A course an agreement (MOA) requires of its officers, with its due rule.

    The MOA is the controlling document (DOMAIN.md, design principle): each
    agreement carries its own requirements, seeded from the per-model defaults
    in ``training.requirements.services.DEFAULT_REQUIREMENTS`` and editable by an agency
    administrator, because values tagged [S]/[U] there must be checked against
    the signed MOA.

    Kinds: the basic course (R2.1, R2.6), the refresher (R2.4, every
    ``validity_months``, 24 by default) and annual online courses (R2.5). The
    basic course and the refresher form one chain: the basic course's
    completion counts as the first refresher, each refresher renews it.
    """

    class Kind(models.TextChoices):
        BASIC = "basic", "Basic course"
        REFRESHER = "refresher", "Refresher"
        ANNUAL = "annual", "Annual online course"

    class DueRule(models.TextChoices):
        MONTHS = "months_after_completion", "N months after completion"
        FISCAL_YEAR = "fiscal_year", "Each federal fiscal year"
        GRADUATION_ANNIVERSARY = "graduation_anniversary", "Anniversary of academy graduation"

    class Confidence(models.TextChoices):
        # DOMAIN.md tags of the shipped default value.
        CONFIRMED = "C", "Confirmed [C]"
        SECONDARY = "S", "Secondary source [S]"
        UNCONFIRMED = "U", "Unconfirmed [U]"

    agreement = models.ForeignKey(
        "compliance.Agreement", on_delete=models.PROTECT, related_name="training_requirements"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="requirements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_rule = models.CharField(max_length=24, choices=DueRule.choices, default=DueRule.MONTHS)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For the 'N months after completion' rule: N (refresher default 24, R2.4)."
    )
    hours = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Course length in hours (R2.1, R2.6).")
    delivery_mode = models.CharField(max_length=12, choices=Course.Delivery.choices, default=Course.Delivery.IN_PERSON)
    confidence = models.CharField(
        max_length=1,
        choices=Confidence.choices,
        default=Confidence.UNCONFIRMED,
        help_text="How sure the shipped default is (DOMAIN.md tags); [S]/[U] values must be checked against the MOA.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the default comes from, e.g. 'R2.4'.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["agreement", "kind", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "course"], name="requirement_unique_agreement_course"),
            models.CheckConstraint(
                condition=~models.Q(due_rule="months_after_completion") | models.Q(validity_months__gte=1),
                name="requirement_months_rule_has_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.course.code}"
