"""Roster URLs, mounted at /roster/. Records are addressed by their public UUID."""

from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("officers/new/", views.officer_create, name="officer_create"),
    path("officers/<uuid:public_id>/", views.officer_detail, name="officer_detail"),
    path("officers/<uuid:public_id>/edit/", views.officer_edit, name="officer_edit"),
    path("officers/<uuid:public_id>/certifications/new/", views.certification_create, name="certification_create"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("import/", views.roster_import_view, name="roster_import"),
    path("import/template.csv", views.roster_import_template, name="roster_import_template"),
]
