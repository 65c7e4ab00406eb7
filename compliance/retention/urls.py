"""The retention pages under ``/retention/`` (namespace ``retention``)."""

from django.urls import path

from compliance.retention import views

app_name = "retention"

urlpatterns = [
    path("settings/", views.retention_settings, name="settings"),
    path("holds/", views.hold_list, name="holds"),
    path("holds/detainer/<uuid:public_id>/", views.hold_place_detainer, name="hold_place_detainer"),
    path("holds/case/<uuid:public_id>/", views.hold_place_case, name="hold_place_case"),
    path("holds/<uuid:public_id>/release/", views.hold_release, name="hold_release"),
]
