"""Organisation and contact URLs (in the `community` namespace, mounted at /outreach/); records by public UUID."""

from django.urls import path

from community.organisations import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<uuid:public_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:public_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<uuid:public_id>/status/", views.organisation_status, name="organisation_status"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<uuid:public_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<uuid:public_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<uuid:public_id>/status/", views.contact_status, name="contact_status"),
]
