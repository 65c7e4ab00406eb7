"""Outreach event URLs (namespace `community`, mounted at /outreach/); records addressed by public UUID."""

from django.urls import path

from community.outreach import views

urlpatterns = [
    path("", views.outreach_list, name="outreach_list"),
    path("new/", views.outreach_create, name="outreach_create"),
    path("<uuid:public_id>/", views.outreach_detail, name="outreach_detail"),
    path("<uuid:public_id>/edit/", views.outreach_edit, name="outreach_edit"),
    path("<uuid:public_id>/participants/add/", views.participant_add, name="participant_add"),
    path("participants/<uuid:public_id>/remove/", views.participant_remove, name="participant_remove"),
    path("<uuid:public_id>/materials/add/", views.material_add, name="material_add"),
    path("materials/<uuid:public_id>/", views.material_download, name="material_download"),
]
