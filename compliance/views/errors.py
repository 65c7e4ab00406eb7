"""The "not found" page: in the public pages' layout and the visitor's language on a public path, else the staff one."""

from __future__ import annotations

from django.shortcuts import render

from community.complaint_intake.language import is_public_path


def page_not_found(request, exception=None):
    """Django's ``handler404``: a 404 answer a resident can read.

    Args:
        request: the request that matched nothing, or whose view raised ``Http404`` (e.g. an agency that
            does not publish its figures, a withdrawn page's bookmark).
        exception: the ``Http404`` (its message is never shown: it may name internals).

    Returns:
        Status 404 with ``public/404.html`` (public layout, language already chosen by
        ``PublicPagesLocaleMiddleware``, links to the public pages) under ``settings.PUBLIC_LANGUAGE_PATHS``;
        ``404.html`` (the staff layout) elsewhere.
    """
    template = "public/404.html" if is_public_path(request.path) else "404.html"
    return render(request, template, status=404)


def too_many_requests(request):
    """allauth's ``handler429`` (it looks up ``ROOT_URLCONF.handler429``): its sign-in, reset and code limits.

    allauth renders a bare ``429.html`` with no figures; ours (``templates/429.html``) is the per-user limit of
    searches and exports and needs them, so allauth's refusals get their own page saying what to do.

    Returns:
        Status 429 with ``account/too_many_attempts.html``.
    """
    return render(request, "account/too_many_attempts.html", status=429)
