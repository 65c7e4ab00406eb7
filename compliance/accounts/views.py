"""The people pages of an agency administrator: list, person, invite, role, move, deactivate, unlock; invitation.

Only a user holding ``administer_agency`` somewhere reaches them; anyone else gets 403 and a "denied"
account event (SECURITY.md C5). A person with no role in the administrator's agencies answers 404.
Granting or changing a role needs a sign-in within the last 5 minutes (allauth's reauthentication, B5).
Changes are POST only, through ``compliance.accounts.services`` (one account event each, A10).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from compliance.accounts import services
from compliance.accounts.forms import InviteForm, MoveForm, RoleForm, SetPasswordForm
from compliance.accounts.invitations import invited_user
from compliance.accounts.people import (
    administered_agencies,
    people_rows,
    person_or_404,
    roles_by_agency,
    status_of,
)
from compliance.core.models import AccountEvent, account_event_record
from compliance.core.reauthentication import recently_authenticated_required


def _agencies_or_403(request):
    """The agencies ``request.user`` administers; 403 and a "denied" event when none (C5)."""
    agencies = administered_agencies(request.user)
    if not agencies.exists():
        account_event_record(
            action=AccountEvent.Action.DENIED,
            actor=request.user,
            target=None,
            detail=f"Not an administrator: {request.method} {request.path}"[:300],
            request=request,
        )
        raise PermissionDenied("Only agency administrators manage people.")
    return agencies


@login_required
@never_cache
def people_list(request):
    """Everyone holding a role in the administrator's agencies: name, username, roles, status, last sign-in."""
    _agencies_or_403(request)
    return render(request, "people/list.html", {"rows": people_rows(request.user)})


def _detail_context(request, person, agencies, **forms):
    return {
        "person": person,
        "status": status_of(person),
        "roles": roles_by_agency(person, list(agencies)),
        "events": AccountEvent.objects.filter(target=person).select_related("actor", "agency")[:100],
        "is_self": person.pk == request.user.pk,
        "role_form": forms.get("role_form") or RoleForm(admin=request.user, agencies=agencies),
        "move_form": forms.get("move_form") or MoveForm(admin=request.user, agencies=agencies),
        "refused": forms.get("refused"),
    }


@login_required
@never_cache
def person_detail(request, pk: int):
    """One person: roles in the administrator's agencies, status, actions, and their account events (newest first)."""
    agencies = _agencies_or_403(request)
    person = person_or_404(request.user, pk)
    return render(request, "people/detail.html", _detail_context(request, person, agencies))


@login_required
@never_cache
def person_invite(request):
    """Invite a person: an account with a role in one agency and an e-mailed link to set a password (48 h, once)."""
    agencies = _agencies_or_403(request)
    return _person_invite(request, agencies)


@recently_authenticated_required(allow_get=True)
def _person_invite(request, agencies):
    form = InviteForm(request.POST or None, admin=request.user, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_invite(actor=request.user, request=request, **form.cleaned_data)
        except services.AccountRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Invitation sent to {person.username}.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/invite.html", {"form": form})


def _person_change(request, pk: int, change):
    """Shared POST handling: the administrator's agencies, the person (404), ``change(person, agencies)``."""
    agencies = _agencies_or_403(request)
    person = person_or_404(request.user, pk)
    return change(person, agencies)


@login_required
@require_POST
def person_role(request, pk: int):
    """Give the person a role in one of the administrator's agencies, or change the one they hold there."""
    return _person_change(request, pk, lambda person, agencies: _person_role(request, person, agencies))


@recently_authenticated_required
def _person_role(request, person, agencies):
    return _form_change(request, person, agencies, RoleForm, "role_form", services.role_give, "Role saved.")


@login_required
@require_POST
def person_move(request, pk: int):
    """Move the person from one of the administrator's agencies to another (the old grants end now)."""
    return _person_change(request, pk, lambda person, agencies: _person_move(request, person, agencies))


@recently_authenticated_required
def _person_move(request, person, agencies):
    return _form_change(request, person, agencies, MoveForm, "move_form", services.person_move, "Person moved.")


def _form_change(request, person, agencies, form_class, form_name: str, service, done: str):
    """Validate ``form_class`` from the POST and apply ``service``; the person page again with errors (400)."""
    form = form_class(request.POST, admin=request.user, agencies=agencies)
    if form.is_valid():
        try:
            service(actor=request.user, request=request, user=person, **form.cleaned_data)
        except services.AccountRefused as refused:
            context = _detail_context(request, person, agencies, **{form_name: form}, refused=str(refused))
            return render(request, "people/detail.html", context, status=400)
        messages.success(request, done)
        return redirect("people:detail", pk=person.pk)
    context = _detail_context(request, person, agencies, **{form_name: form})
    return render(request, "people/detail.html", context, status=400)


def _simple_change(service, done: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        def change(person, agencies):
            try:
                service(actor=request.user, request=request, user=person)
            except services.AccountRefused as refused:
                context = _detail_context(request, person, agencies, refused=str(refused))
                return render(request, "people/detail.html", context, status=400)
            messages.success(request, done)
            return redirect("people:detail", pk=person.pk)

        return _person_change(request, pk, change)

    view.__doc__ = f"POST: {service.__doc__.splitlines()[0]}"
    return view


person_deactivate = _simple_change(services.person_deactivate, "Account deactivated; every session of it has ended.")
person_reactivate = _simple_change(services.person_reactivate, "Account reactivated.")
person_unlock = _simple_change(services.person_unlock, "Account unlocked.")


@never_cache
def invitation_accept(request, uidb64: str, token: str):
    """The invitation link: set a first password (Django's validators), then sign in. Dead once used or after 48 h."""
    user = invited_user(uidb64, token)
    if user is None:
        return render(request, "people/invitation_dead.html", status=404)
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.invitation_accept(user=user, password=form.cleaned_data["password2"], request=request)
        messages.success(request, "Your password is set. Sign in, then set up your authenticator app.")
        return redirect("account_login")
    return render(request, "people/invitation.html", {"form": form, "username": user.username})
