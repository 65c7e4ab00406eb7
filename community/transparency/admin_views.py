"""Staff pages of the transparency page (namespace ``community``, under /outreach/transparency/; ``?agency=``).

* ``transparency_settings``: the agency's administrators choose the sections and the threshold, see
  whether the page is public and whether the draft differs from it, publish or withdraw it, and read
  the publication history.
* ``transparency_preview``: the page exactly as the public would see it (the public template, the same
  figures and suppression), with a "Preview — not public" banner; for the agency's supervisors and
  administrators (``review_records``), published or not.
* ``transparency_publish``: POST only, administrators: copies the saved draft to the public page.
* ``transparency_withdraw``: administrators; GET asks for confirmation, POST withdraws.

Saving the settings changes only the draft, which the preview shows; the public page and its CSV
keep the published copy until the administrator publishes again.

Anyone without the permission in any agency gets 404 (``compliance.core.pages.agency_or_404``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.transparency import services
from community.transparency.forms import TransparencySettingsForm
from community.transparency.page import period_choice, transparency_page
from community.transparency.views import page_context
from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.pages import agency_or_404, with_agency


def _settings_url(agency) -> str:
    return with_agency(reverse("community:transparency_settings"), agency)


@login_required
@require_http_methods(["GET", "POST"])
def transparency_settings(request):
    """The agency's transparency settings (``?agency=``; administrators): sections, threshold, publication."""
    agency = agency_or_404(request, access.ADMINISTER)
    current = services.transparency_settings_for(agency)
    initial = {"sections": current.sections, "suppression_threshold": current.suppression_threshold}
    form = TransparencySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.transparency_settings_save(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if current.published:
                messages.success(
                    request, "Draft saved. The public page is unchanged: preview the draft, then publish it."
                )
            else:
                messages.success(request, "Settings saved. Preview the page, then publish it.")
            return redirect(_settings_url(agency))
    agencies = list(access.agencies_for(request.user, access.ADMINISTER).order_by("state", "name"))
    titles = dict(services.section_choices())
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "form": form,
        "current": current,
        "current_titles": [titles[key] for key in current.sections if key in titles],
        "published_titles": [titles[key] for key in current.published_sections if key in titles],
        "draft_differs": bool(current.pk and current.published and current.draft_differs),
        "history": _history(current, titles),
    }
    return render(request, "community/transparency/settings.html", context)


def _history(current, titles: dict) -> list[dict]:
    """The row's own history (AuditedHistory), newest first (50): what happened, who, and the section titles."""
    if not current.pk:
        return []
    rows = current.history.select_related("history_user").order_by("-history_date")[:50]
    return [
        {
            "row": row,
            "section_titles": [str(titles.get(key, key)) for key in row.sections or []],
        }
        for row in rows
    ]


@login_required
@require_GET
def transparency_preview(request):
    """The page as the public would see it, published or not (``?agency=&period=&language=``; supervisors, admins)."""
    agency = agency_or_404(request, access.REVIEW)
    current = services.transparency_settings_for(agency)
    now = timezone.now()
    # The staff pages are English; ``?language=es`` previews the page as a Spanish visitor reads it.
    language = request.GET.get("language", "")
    language = language if language in dict(settings.LANGUAGES) else "en"
    with translation.override(language):
        period, offered, refused = period_choice(agency, request.GET.get("period"), now=now)
        page = transparency_page(agency, current, period, offered=offered, refused=refused, now=now)
        context = page_context(request, page, preview=True)
        context["settings_url"] = _settings_url(agency) if access.can(request.user, access.ADMINISTER, agency) else ""
        context["published"] = current.published
        context["preview_language"] = language
        return render(request, "public/transparency_page.html", context)


@login_required
@require_POST
def transparency_publish(request):
    """Make the agency's page public (``?agency=``; administrators); back to the settings page with the outcome."""
    agency = agency_or_404(request, access.ADMINISTER)
    try:
        services.transparency_publish(agency=agency, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The transparency page is public.")
    return redirect(_settings_url(agency))


@login_required
@require_http_methods(["GET", "POST"])
def transparency_withdraw(request):
    """Take the agency's page off the public site (``?agency=``; administrators); its settings and history stay.

    GET shows a confirmation page (what withdrawing does, a Withdraw button posting here, Cancel); POST withdraws.
    """
    agency = agency_or_404(request, access.ADMINISTER)
    if request.method == "GET":
        current = services.transparency_settings_for(agency)
        context = {"agency": agency, "current": current, "settings_url": _settings_url(agency)}
        return render(request, "community/transparency/withdraw_confirm.html", context)
    try:
        services.transparency_withdraw(agency=agency, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The transparency page is no longer public.")
    return redirect(_settings_url(agency))
