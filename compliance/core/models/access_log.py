"""Who looked at a person's data, and who signed in: one append-only row per event (SECURITY.md D1–D3).

One table holds both kinds of events so that an auditor reads one trail: views, lists and
exports of personal data (D3), denied requests for a record, throttled searches and exports
(F11), and the account events (sign-in, failed sign-in, sign-out, lockout, second-factor and
password changes: D1). Each row says what (``action``), when (``at``), where (``view_name``,
``path`` without the query string), from where (``ip_address``), how it ended (``outcome``),
who (``user``, or the ``username`` typed when no account or no session), whose data
(``agency``), which record (``content_type`` + ``object_id``) and which session
(``session_hash``: a keyed hash, never the session key): SECURITY.md D2.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.crypto import salted_hmac

from compliance.core.append_only import AppendOnlyRow, append_only_trigger
from compliance.core.client_address import client_address


class AccessLog(AppendOnlyRow):
    """An append-only record of one audited event: a read of personal data, a denial, or an account event.

    Holds who, when, which record, from where, what they did and how it ended; never the
    personal data itself. Auditors read it (SECURITY.md D1–D3). Append-only (D5): the ORM refuses to change or
    delete a row, PostgreSQL's ``append_only`` trigger too (``compliance.core.append_only``).
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        EXPORT = "export", "Exported"
        SEARCH = "search", "Searched"
        DENIED = "denied", "Denied"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        LOCKED_OUT = "locked_out", "Locked out"
        MFA_ADDED = "mfa_added", "Second factor added"
        MFA_REMOVED = "mfa_removed", "Second factor removed"
        MFA_RESET = "mfa_reset", "Recovery codes renewed"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"
        DENIED = "denied", "Denied"
        THROTTLED = "throttled", "Throttled (too many)"

    #: The actions that are account events rather than reads of a record.
    ACCOUNT_ACTIONS = frozenset(
        {
            Action.SIGN_IN,
            Action.SIGN_OUT,
            Action.LOCKED_OUT,
            Action.MFA_ADDED,
            Action.MFA_REMOVED,
            Action.MFA_RESET,
            Action.PASSWORD_CHANGED,
            Action.PASSWORD_RESET,
        }
    )

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    #: The username typed at a sign-in (kept also when no such account exists); blank for other events.
    username = models.CharField(max_length=150, blank=True, default="")
    agency = models.ForeignKey("compliance.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(null=True)
    object_count = models.PositiveIntegerField(default=1)
    path = models.CharField(max_length=300)
    #: The URL name of the page (e.g. ``incidents:detainer_detail``); blank when the path matched none.
    view_name = models.CharField(max_length=200, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True)
    #: ``session_hash(session key)``: ties a session's rows together without storing its key.
    session_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="accesslog_object_idx"),
            models.Index(fields=["agency", "action", "at"], name="accesslog_agency_action_idx"),
            # The access-log page's keyset order (compliance.views.access_log: newest first, the id breaking ties):
            # one agency's page, and a reader of several agencies'; read backwards for the last page.
            models.Index(fields=["agency", "-at", "-id"], name="accesslog_agency_at_idx"),
            models.Index(fields=["-at", "-id"], name="accesslog_at_idx"),
        ]
        triggers = [append_only_trigger()]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.outcome}) by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def page_label(self) -> str:
        """``view_name`` in words for a reader (``page_label``), e.g. "Incidents: detainer detail"; "" when blank."""
        return page_label(self.view_name)


#: URL-name prefixes of the account pages (allauth's names carry no namespace) → the part of the application.
PAGE_PREFIXES = {"account_": "Account", "mfa_": "Second factor", "usersessions_": "Your sessions", "people:": "People"}


def page_label(view_name: str) -> str:
    """A URL name (``AccessLog.view_name``) as a reader says it: "<part of the application>: <page in words>".

    ``incidents:detainer_detail`` → "Incidents: detainer detail"; ``mfa_authenticate`` → "Second factor:
    authenticate"; ``dashboard`` → "Dashboard". Made from the name itself, so every page (a new one too) has a
    label; "" for a blank name. Used by the access-log extract (its legend says so).
    """
    if not view_name:
        return ""
    for prefix, part in PAGE_PREFIXES.items():
        if view_name.startswith(prefix):
            rest = view_name[len(prefix) :].replace("_", " ").replace(":", " ").strip()
            return f"{part}: {rest}" if rest else part
    if ":" in view_name:
        namespace, _, rest = view_name.rpartition(":")
        words = rest.replace("_", " ").strip()
        return f"{namespace.replace(':', ' ').replace('_', ' ').capitalize()}: {words}"
    return view_name.replace("_", " ").capitalize()


def session_hash(session_key: str | None) -> str:
    """A keyed SHA-256 of ``session_key`` (64 hex characters), or "" without a session.

    The raw key would let anyone who reads the log take over a live session; the keyed hash
    (``SECRET_KEY``) only ties rows of one session together (SECURITY.md D2 "correlation id").
    """
    if not session_key:
        return ""
    return salted_hmac("compliance.access_log.session", session_key, algorithm="sha256").hexdigest()


def access_log_record(
    request, *, action: str, record=None, agency=None, count: int = 1, outcome: str = AccessLog.Outcome.SUCCESS
) -> AccessLog:
    """Write one access-log row for ``request`` (who, from where, which record).

    Args:
        request: the Django request (user, path without query string, view name, client address, session).
        action: an ``AccessLog.Action`` value.
        record: the model instance viewed, or None for a list/export.
        agency: the agency the data belongs to (defaults to ``record.agency``).
        count: how many records a list or export showed.
        outcome: an ``AccessLog.Outcome`` value (success by default).
    """
    return AccessLog.objects.create(
        agency=agency or getattr(record, "agency", None),
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
        object_count=count,
        outcome=outcome,
        **_who_and_where(request, action),
    )


def access_log_event(
    request, *, action: str, outcome: str = AccessLog.Outcome.SUCCESS, user=None, username: str = "", agency=None
) -> AccessLog:
    """Write one row for an event about an account or a request rather than a record (SECURITY.md D1, D2).

    Args:
        request: the request the event happened in, or None (then no path, address or session).
        action: an ``AccessLog.Action`` value (e.g. ``SIGN_IN``, ``LOCKED_OUT``, ``DENIED``).
        outcome: an ``AccessLog.Outcome`` value.
        user: the account concerned; defaults to the request's signed-in user.
        username: the username typed (a sign-in), kept even when no such account exists;
            defaults to ``user.username``. Truncated to 150 characters.
        agency: whose auditors see the row; defaults to the user's home agency.

    Returns:
        The row written.
    """
    fields = _who_and_where(request, action) if request is not None else {"user": None, "action": action, "path": ""}
    if user is not None:
        fields["user"] = user
    user = fields["user"]
    return AccessLog.objects.create(
        username=(username or getattr(user, "username", ""))[:150],
        agency=agency or getattr(user, "home_agency", None),
        outcome=outcome,
        object_count=0,
        **fields,
    )


def _who_and_where(request, action: str) -> dict:
    """The fields every access-log row takes from the request: user, action, path, view, address, session."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    session = getattr(request, "session", None)
    return {
        "user": user if user is not None and user.is_authenticated else None,
        "action": action,
        "path": request.path[:300],
        "view_name": (match.view_name if match else "")[:200],
        "ip_address": client_address(request),
        "session_hash": session_hash(getattr(session, "session_key", None)),
    }


def access_log_per_agency(request, *, action: str, counts: dict, empty_agency=None) -> list[AccessLog]:
    """One access-log row per agency whose data a list or export showed, with that agency's count.

    A page or file spanning several agencies (an auditor of three) is then visible in each
    agency's access log (``compliance.core.access_trail`` scopes rows by agency), instead of one
    row with no agency that no agency's auditor could read.

    Args:
        request: the Django request (user, path, client address: ``compliance.core.client_address``).
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
