"""The rank order page (agency administrators): list the agency's ranks, add, edit seniority, delete when unused.

Every page needs ``administer_agency`` in the agency; a rank of an agency the user does not
administer answers 404 (others' records are not revealed), as the agreement pages do.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.pages import with_agency
from training.ranks import services
from training.ranks.forms import RankForm
from training.roster.models import Rank


def _rank_or_404(request, public_id) -> Rank:
    return access.get_scoped_or_404(
        Rank.objects.select_related("agency"), request.user, access.ADMINISTER, public_id=public_id
    )


@login_required
@require_http_methods(["GET", "POST"])
def rank_list(request):
    """The agency's ranks, most senior first, with their officer counts, and the form to add one."""
    agency = access.current_agency(request, access.ADMINISTER)
    if agency is None:
        raise Http404("No agency.")
    form = RankForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rank_create(agency=agency, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Rank added.")
                return redirect(with_agency(request.path, agency))
        status = 400
    ranks = Rank.objects.filter(agency=agency).annotate(officer_count=Count("officers")).order_by("-seniority", "name")
    agencies = list(access.agencies_for(request.user, access.ADMINISTER).order_by("state", "name"))
    context = {"agency": agency, "agencies": agencies if len(agencies) > 1 else [], "ranks": ranks, "form": form}
    return render(request, "training/rank_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rank_edit(request, public_id):
    """Rename a rank or change its seniority; the page also offers deleting it when no officer holds it."""
    rank = _rank_or_404(request, public_id)
    initial = {"name": rank.name, "seniority": rank.seniority}
    form = RankForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rank_update(rank=rank, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Rank saved.")
                return redirect(with_agency(reverse("training:rank_list"), rank.agency))
        status = 400
    context = {"rank": rank, "form": form, "in_use": rank.officers.count()}
    return render(request, "training/rank_form.html", context, status=status)


@login_required
@require_POST
def rank_delete(request, public_id):
    """Delete a rank no officer holds (refused with the count otherwise)."""
    rank = _rank_or_404(request, public_id)
    try:
        services.rank_delete(rank=rank, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("training:rank_edit", public_id=rank.public_id)
    messages.success(request, "Rank deleted.")
    return redirect(with_agency(reverse("training:rank_list"), rank.agency))
