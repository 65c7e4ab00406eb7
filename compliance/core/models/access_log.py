"""Who looked at a person's data: one append-only row per view, list or export of personal data (SECURITY.md D3)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AccessLog(models.Model):
    """An append-only record that a user viewed (or exported) personal data.

    Holds who, when, which record, from where, and what they did; never the
    personal data itself. Auditors read it (SECURITY.md D3).
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        EXPORT = "export", "Exported"
        DENIED = "denied", "Denied"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("compliance.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(null=True)
    object_count = models.PositiveIntegerField(default=1)
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="accesslog_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Access log rows are append-only.")


def access_log_record(request, *, action: str, record=None, agency=None, count: int = 1) -> AccessLog:
    """Write one access-log row for ``request`` (who, from where, which record).

    Args:
        request: the Django request (user, path without query string, REMOTE_ADDR).
        action: an ``AccessLog.Action`` value.
        record: the model instance viewed, or None for a list/export.
        agency: the agency the data belongs to (defaults to ``record.agency``).
        count: how many records a list or export showed.
    """
    return AccessLog.objects.create(
        agency=agency or getattr(record, "agency", None),
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
        object_count=count,
        **_who_and_where(request, action),
    )


def _who_and_where(request, action: str) -> dict:
    """The fields every access-log row takes from the request: user, action, path, address."""
    return {
        "user": request.user if request.user.is_authenticated else None,
        "action": action,
        "path": request.path[:300],
        "ip_address": request.META.get("REMOTE_ADDR") or None,
    }


def access_log_per_agency(request, *, action: str, counts: dict, empty_agency=None) -> list[AccessLog]:
    """One access-log row per agency whose data a list or export showed, with that agency's count.

    A page or file spanning several agencies (an auditor of three) is then visible in each
    agency's access log (``compliance.core.access_trail`` scopes rows by agency), instead of one
    row with no agency that no agency's auditor could read.

    Args:
        request: the Django request (user, path, REMOTE_ADDR).
        action: ``AccessLog.Action.LIST`` or ``EXPORT``.
        counts: ``{agency: number of its records shown}``; agencies with 0 are skipped.
        empty_agency: the agency to log against when nothing was shown (e.g. the one
            asked for with ``?agency=``), or None.

    Returns:
        The rows written: one INSERT for one agency, one ``bulk_create`` for several.
    """
    base = _who_and_where(request, action)
    shown = [(agency, count) for agency, count in counts.items() if count]
    if not shown:
        shown = [(empty_agency, 0)]
    if len(shown) == 1:  # the usual page: one INSERT (bulk_create would add BEGIN/COMMIT round trips)
        agency, count = shown[0]
        return [AccessLog.objects.create(agency=agency, object_count=count, **base)]
    return AccessLog.objects.bulk_create(
        AccessLog(agency=agency, object_count=count, **base) for agency, count in shown
    )
