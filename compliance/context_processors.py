"""Template context for the header: the user's agency and role."""

from compliance.core.roles import Role


def agency_header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    names = [g.name for g in user.groups.all()]
    return {
        "header_agency": user.home_agency,
        "header_roles": ", ".join(names),
        # The People link: administrators only (the group follows the grants: compliance.accounts.services).
        "header_administers": Role.ADMINISTRATOR in names,
        # The 403 page's "Auditors read and export" line: for auditors only (staff are refused for other reasons).
        "header_auditor": Role.AUDITOR in names,
        # The Integrations link: the roles that may export records read the list (administrators also change it).
        "header_integrations": bool({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AUDITOR} & set(names)),
    }
