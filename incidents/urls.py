from django.urls import path

from incidents.views import actions as action_views  # the log of 287(g) actions
from incidents.views import citizenship as citizenship_views  # Part B
from incidents.views import custody, detainer_imports, detainers, incidents
from incidents.views import detainer_export as detainer_export_views  # the log export (CSV/XLSX)
from incidents.views import offense_levels as offense_level_views  # issue 4 item 7

app_name = "incidents"
urlpatterns = [
    path("detainers/", detainers.detainer_list, name="detainer_list"),
    path("detainers/new/", detainers.detainer_create, name="detainer_create"),
    path("detainers/export/", detainer_export_views.detainer_export, name="detainer_export"),
    path("detainers/<uuid:public_id>/", detainers.detainer_detail, name="detainer_detail"),
    path("detainers/<uuid:public_id>/edit/", detainers.detainer_edit, name="detainer_edit"),
    path("detainers/<uuid:public_id>/outcome/", detainers.detainer_outcome, name="detainer_outcome"),
    path(
        "detainers/<uuid:public_id>/actions/new/",
        action_views.detainer_action_create,
        name="detainer_action_create",
    ),
    # --- Part C: custody board, quick actions, detainer-log import, offense levels ---
    path("custody/", custody.custody_board, name="custody_board"),
    path("custody/<uuid:public_id>/<slug:action>/", custody.custody_action, name="custody_action"),
    path("detainer-imports/", detainer_imports.detainer_import, name="detainer_import"),
    path(
        "detainer-imports/<uuid:public_id>/",
        detainer_imports.detainer_import_preview,
        name="detainer_import_preview",
    ),
    path(
        "detainer-imports/<uuid:public_id>/discard/",
        detainer_imports.detainer_import_discard,
        name="detainer_import_discard",
    ),
    path("detainers/offense-levels/", offense_level_views.offense_levels, name="offense_levels"),  # item 7
    # --- end Part C ---
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_create, name="incident_create"),
    path("incidents/<uuid:public_id>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<uuid:public_id>/edit/", incidents.incident_edit, name="incident_edit"),
    # --- Part B: U.S.-citizenship claim (STOP) and consular notification ---
    path(
        "detainers/<uuid:public_id>/citizenship/",
        citizenship_views.detainer_citizenship,
        name="detainer_citizenship",
    ),
    path(
        "detainers/<uuid:public_id>/citizenship/escalate/",
        citizenship_views.detainer_citizenship_escalate,
        name="detainer_citizenship_escalate",
    ),
    path(
        "detainers/<uuid:public_id>/citizenship/resolve/",
        citizenship_views.detainer_citizenship_resolve,
        name="detainer_citizenship_resolve",
    ),
    path("detainers/<uuid:public_id>/consular/", citizenship_views.detainer_consular, name="detainer_consular"),
]
