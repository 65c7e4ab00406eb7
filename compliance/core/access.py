"""The one place that answers "which agencies may this user do X in".

Every view's queryset goes through ``agencies_for`` (directly or via
``scope``/``get_scoped_or_404``). Only object permissions on ``Agency`` count:
a model-wide permission given by mistake never widens the scope (case A1).
A record of another agency answers 404, never 403 (DESIGN.md, Who may see what).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

VIEW = "view_records"
CHANGE = "change_records"
REVIEW = "review_records"
EXPORT = "export_reports"
ADMINISTER = "administer_agency"
ALL_PERMS = (VIEW, CHANGE, REVIEW, EXPORT, ADMINISTER)


def agencies_for(user, perm: str = VIEW) -> QuerySet:
    """Agencies in which ``user`` holds ``perm`` as an object permission.

    Args:
        user: the acting user; anonymous or inactive users get no agencies.
        perm: one of the codenames above (without app label).

    Returns:
        A lazy ``QuerySet`` of ``compliance.Agency``. Superusers get every agency.
    """
    from compliance.core.models import Agency

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Agency.objects.none()
    return get_objects_for_user(
        user,
        f"compliance.{perm}",
        klass=Agency,
        accept_global_perms=False,
    )


def can(user, perm: str, agency) -> bool:
    """True if ``user`` holds ``perm`` in ``agency`` (object permission only)."""
    return agencies_for(user, perm).filter(pk=agency.pk).exists()


def scope(queryset: QuerySet, user, perm: str = VIEW, *, agency_field: str = "agency") -> QuerySet:
    """Restrict ``queryset`` to rows of agencies where ``user`` holds ``perm``."""
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
    if home is not None and allowed.filter(pk=home.pk).exists():
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
