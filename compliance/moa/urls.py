"""The MOA checklist pages under ``/moa/`` (namespace ``moa``); records addressed by public UUID."""

from django.urls import path

from compliance.moa import views

app_name = "moa"

urlpatterns = [
    path("", views.moa_index, name="index"),
    path("<uuid:public_id>/", views.moa_checklist, name="checklist"),
    path("<uuid:public_id>/check/", views.moa_check_now, name="check_now"),
    path("<uuid:public_id>/apply/", views.moa_apply_templates, name="apply_templates"),
    path("<uuid:public_id>/requirements/new/", views.moa_requirement_add, name="requirement_add"),
    path("requirements/<uuid:public_id>/edit/", views.moa_requirement_edit, name="requirement_edit"),
    path("requirements/<uuid:public_id>/confirm/", views.moa_requirement_confirm, name="requirement_confirm"),
    path("requirements/<uuid:public_id>/documents/new/", views.moa_document_add, name="document_add"),
    path("documents/<uuid:public_id>/withdraw/", views.moa_document_withdraw, name="document_withdraw"),
    path("documents/<uuid:public_id>/download/", views.moa_document_download, name="document_download"),
]
