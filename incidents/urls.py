from django.urls import path

from incidents.views import detainers, incidents

app_name = "incidents"
urlpatterns = [
    path("detainers/", detainers.detainer_list, name="detainer_list"),
    path("detainers/new/", detainers.detainer_create, name="detainer_create"),
    path("detainers/<uuid:public_id>/", detainers.detainer_detail, name="detainer_detail"),
    path("detainers/<uuid:public_id>/edit/", detainers.detainer_edit, name="detainer_edit"),
    path("detainers/<uuid:public_id>/outcome/", detainers.detainer_outcome, name="detainer_outcome"),
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_create, name="incident_create"),
    path("incidents/<uuid:public_id>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<uuid:public_id>/edit/", incidents.incident_edit, name="incident_edit"),
]
