"""The one place that answers "which agencies may this user do X in".

Every view's queryset goes through ``agencies_for`` (directly or via
``scope``/``get_scoped_or_404``). Only object permissions on ``Agency`` count:
a model-wide permission given by mistake never widens the scope (case A1).
A record of another agency answers 404, never 403 (DESIGN.md, Who may see what).

Within one request the answer is read once: ``AccessMemoMiddleware`` opens a memo for the request, and the
first question about a user reads every agency permission that user holds (user and group object permissions
on ``Agency``, one query); every later question in the same request (the page, the header's notifications
badge, the administrator's nav link, a template's "may change" check) is answered from it without a query.
Outside a request (jobs, the shell, tests calling a selector directly) nothing is memoised: each question
goes to django-guardian as before. A change of permissions (guardian's rows, a user's groups) empties the
memo at once (``memo_clear``, connected to their signals in ``ComplianceConfig.ready``), so a request that
grants or revokes a role sees the new answer; requests never share a memo.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

VIEW = "view_records"
CHANGE = "change_records"
REVIEW = "review_records"
EXPORT = "export_reports"
ADMINISTER = "administer_agency"
ALL_PERMS = (VIEW, CHANGE, REVIEW, EXPORT, ADMINISTER)


#: The request's memo: user id → {permission codename → agency ids}; None outside a request.
_memo: ContextVar[dict[int, dict[str, frozenset[int]]] | None] = ContextVar("access_memo", default=None)


def _memoisable(user) -> bool:
    """Whether ``user``'s answers may come from the memo: a signed-in, active user who is not a superuser
    (a superuser's answer is "every agency", which guardian gives without reading permissions)."""
    return getattr(user, "is_authenticated", False) and user.is_active and not user.is_superuser


def _held(user) -> dict[str, frozenset[int]]:
    """Every agency object permission ``user`` holds, directly or through a group: codename → agency ids.

    One query (a ``UNION ALL`` of guardian's user and group object permission rows for ``Agency``), the same
    rows ``guardian.shortcuts.get_objects_for_user`` reads for one codename with ``accept_global_perms=False``.
    Ids of agencies deleted since are harmless: a filter on them matches no row.
    """
    from django.contrib.contenttypes.models import ContentType
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    from compliance.core.models import Agency

    content_type = ContentType.objects.get_for_model(Agency)  # cached by ContentType's manager
    fields = ("object_pk", "permission__codename")
    by_user = (
        get_user_obj_perms_model(Agency)
        .objects.filter(user_id=user.pk, content_type=content_type, permission__content_type=content_type)
        .values_list(*fields)
    )
    by_group = (
        get_group_obj_perms_model(Agency)
        .objects.filter(group__user=user.pk, content_type=content_type, permission__content_type=content_type)
        .values_list(*fields)
    )
    held: dict[str, set[int]] = {}
    for object_pk, codename in by_user.union(by_group, all=True):
        held.setdefault(codename, set()).add(int(object_pk))
    return {codename: frozenset(ids) for codename, ids in held.items()}


def _memo_ids(user, perm: str) -> frozenset[int] | None:
    """``user``'s agency ids for ``perm`` from this request's memo (read once per user and request), or None
    when no memo is open (outside a request) or the user's answer is not memoised (``_memoisable``)."""
    memo = _memo.get()
    if memo is None or not _memoisable(user):
        return None
    held = memo.get(user.pk)
    if held is None:
        held = memo[user.pk] = _held(user)
    return held.get(perm, frozenset())


def memo_clear(*args, **kwargs) -> None:
    """Forget this request's memo (a permission or group membership changed); a no-op outside a request.

    Accepts and ignores any arguments, so it can be a signal receiver.
    """
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class AccessMemoMiddleware:
    """Opens the access memo for the duration of a request (module docstring) and closes it afterwards.

    Anywhere in the middleware list: it reads nothing itself; the memo is filled on the first question.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def agencies_for(user, perm: str = VIEW) -> QuerySet:
    """Agencies in which ``user`` holds ``perm`` as an object permission.

    Args:
        user: the acting user; anonymous or inactive users get no agencies.
        perm: one of the codenames above (without app label).

    Returns:
        A lazy ``QuerySet`` of ``compliance.Agency``. Superusers get every agency. Within a request the
        agencies are a list of ids read once (module docstring); outside one, guardian's subquery.
    """
    from compliance.core.models import Agency

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Agency.objects.none()
    ids = _memo_ids(user, perm)
    if ids is not None:
        return Agency.objects.filter(pk__in=sorted(ids))
    return get_objects_for_user(
        user,
        f"compliance.{perm}",
        klass=Agency,
        accept_global_perms=False,
    )


def agency_ids_for(user, perm: str = VIEW) -> frozenset[int]:
    """The ids of the agencies in which ``user`` holds ``perm`` (``agencies_for`` as a set of ids).

    No query within a request once the memo holds the user; one query otherwise (every agency's id for a
    superuser).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    ids = _memo_ids(user, perm)
    if ids is not None:
        return ids
    return frozenset(agencies_for(user, perm).values_list("pk", flat=True))


def holds_anywhere(user, perm: str = VIEW) -> bool:
    """True if ``user`` holds ``perm`` in at least one agency (``agencies_for(user, perm).exists()``)."""
    return bool(agency_ids_for(user, perm))


def can(user, perm: str, agency) -> bool:
    """True if ``user`` holds ``perm`` in ``agency`` (object permission only). No query within a request
    once the memo holds the user."""
    ids = _memo_ids(user, perm)
    if ids is not None:
        return agency.pk in ids
    return agencies_for(user, perm).filter(pk=agency.pk).exists()


def scope(queryset: QuerySet, user, perm: str = VIEW, *, agency_field: str = "agency") -> QuerySet:
    """Restrict ``queryset`` to rows of agencies where ``user`` holds ``perm``.

    Within a request the agencies are a list of ids (``agency_id IN (…)``), otherwise guardian's subquery.
    """
    ids = _memo_ids(user, perm)
    if ids is not None:
        return queryset.filter(**{f"{agency_field}__in": sorted(ids)})
    return queryset.filter(**{f"{agency_field}__in": agencies_for(user, perm)})


def get_scoped_or_404(queryset: QuerySet, user, perm: str = VIEW, *, agency_field: str = "agency", **lookup):
    """One row of ``queryset`` matching ``lookup`` in an agency ``user`` may ``perm`` in.

    Raises:
        Http404: the row does not exist, or belongs to an agency outside the
            user's scope for ``perm`` (the two are indistinguishable on purpose).
    """
    try:
        return scope(queryset, user, perm, agency_field=agency_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("No such record.") from exc


def current_agency(request, perm: str = VIEW):
    """The agency a page is about: ``?agency=<public id>`` if in scope, else the home agency, else the first.

    Returns None when the user holds ``perm`` in no agency. Used by the
    dashboard and forms that create a record (which agency it belongs to).
    """
    allowed = agencies_for(request.user, perm)
    wanted = request.GET.get("agency") or request.POST.get("agency_choice")
    if wanted:
        try:
            return allowed.get(public_id=wanted)
        except (allowed.model.DoesNotExist, ValueError, Exception) as exc:  # malformed UUID, other agency
            raise Http404("No such agency.") from exc
    home = request.user.home_agency
    if home is not None and can(request.user, perm, home):
        return home
    return allowed.order_by("state", "name").first()


def narrow_to_requested_agency(queryset: QuerySet, request, perm: str = VIEW, *, agency_field: str = "agency"):
    """Narrow an already scoped list to ``?agency=<public id>`` when the request names one.

    Used by list pages so the dashboard's "see all" links for one agency show
    that agency only. Returns ``(queryset, agency or None)``.

    Raises:
        Http404: the named agency is not one where the user holds ``perm``, or
            the id is malformed.
    """
    wanted = request.GET.get("agency")
    if not wanted:
        return queryset, None
    try:
        agency = agencies_for(request.user, perm).get(public_id=wanted)
    except Exception as exc:  # DoesNotExist, or a malformed UUID (ValidationError)
        raise Http404("No such agency.") from exc
    return queryset.filter(**{agency_field: agency}), agency
