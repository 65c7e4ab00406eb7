"""Template context for the header: the user's agency and role."""


def agency_header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "header_agency": user.home_agency,
        "header_roles": ", ".join(g.name for g in user.groups.all()),
    }
