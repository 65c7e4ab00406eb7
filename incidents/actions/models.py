"""The log of 287(g) actions taken on a detainer: every immigration action, not only the record's one.

Each ``DetainerAction`` is one delegated action (interview, processing, service
of a warrant, arrest in the facility, field arrest) with the instant it was
performed, the officer who performed it and the agreement (MOA) it was taken
under, so that every action can be checked against the agreement's model
(R1.6), the officer's authorization at that instant (R2.4, R2.7), the WSO
48-hour clock (R1.7, R4.10), language access (R3.8) and, for a field
action under a Task Force Model agreement, ICE supervision and prior approval
(R1.6, R3.4, R3.10; ``incidents.actions.approvals``). Rows are written only
by ``incidents.actions.services.detainer_action_record``; the rules are there and in
``incidents.actions.checks``.

Re-exported by ``incidents.models`` so Django registers the model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel
from incidents.detainers.choices import Action, InterpreterType


class DetainerAction(AgencyScopedModel):
    """One delegated 287(g) action taken on a detainer (DOMAIN.md R1.6, R3.7, R3.8).

    ``agency`` is always the detainer's agency; ``agreement`` defaults to the
    detainer's (R1.6: every logged action carries ``agreement.model``);
    ``performed_at`` is an aware instant stored in UTC, shown in the agency's zone.
    """

    detainer = models.ForeignKey("incidents.Detainer", on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField("287(g) action", max_length=30, choices=Action.choices)
    performed_at = models.DateTimeField("Performed at", help_text="The instant the officer acted (UTC stored).")
    officer = models.ForeignKey("training.Officer", on_delete=models.PROTECT, related_name="detainer_actions")
    agreement = models.ForeignKey(
        "compliance.Agreement",
        on_delete=models.PROTECT,
        related_name="detainer_actions",
        help_text="The MOA the action was taken under (R1.6).",
    )
    language = models.CharField(
        max_length=60, blank=True, help_text="Language the interview or service was conducted in (R3.8)."
    )
    interpreter_used = models.BooleanField(default=False)
    interpreter_type = models.CharField(max_length=10, choices=InterpreterType.choices, blank=True)
    # R3.4 / R3.10 (``incidents.actions.approvals``): required on a field action under a TFM agreement.
    ice_supervisor = models.CharField(
        "Supervising ICE officer", max_length=150, blank=True, help_text="Name or ID of the ICE officer (R3.4)."
    )
    prior_approval_reference = models.CharField(
        "ICE prior approval reference",
        max_length=200,
        blank=True,
        help_text="How ICE's prior approval is identified, e.g. its message or case number (R3.10).",
    )
    prior_approval_at = models.DateTimeField(
        "ICE prior approval given at",
        null=True,
        blank=True,
        help_text="At or before the action (UTC stored) (R3.10).",
    )
    notes = models.TextField(blank=True)
    # Required when the action broke a rule (officer not authorized, outside the agreement, no ICE approval):
    # it is recorded as it happened, with this explanation (incidents.detainers.rule_breaks).
    explanation = models.TextField(
        "Explanation of a rule broken", blank=True, help_text="What happened and why, when the action broke a rule."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["performed_at", "pk"]
        indexes = [
            # The detainer page and the check (incidents.actions.checks): one detainer's actions in time order.
            models.Index(fields=["detainer", "performed_at"], name="detainer_action_time_idx"),
        ]
        constraints = [
            # R3.8: an interpreter, when used, is of a stated kind (in person, telephone, video).
            models.CheckConstraint(
                condition=models.Q(interpreter_used=False) | ~models.Q(interpreter_type__in=["", "none"]),
                name="detainer_action_interpreter_type_stated",
            ),
            # R3.10: a prior approval is given at or before the action it approves.
            models.CheckConstraint(
                condition=models.Q(prior_approval_at__isnull=True)
                | models.Q(prior_approval_at__lte=models.F("performed_at")),
                name="detainer_action_approval_not_after_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on detainer {self.detainer_id}"
