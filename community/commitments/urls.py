"""Commitment URLs (in the ``community`` namespace, mounted at /outreach/); records addressed by public UUID."""

from django.urls import path

from community.commitments import views

urlpatterns = [
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<uuid:public_id>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<uuid:public_id>/edit/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<uuid:public_id>/done/", views.commitment_complete, name="commitment_complete"),
    path("commitments/<uuid:public_id>/drop/", views.commitment_drop, name="commitment_drop"),
    path("commitments/<uuid:public_id>/reopen/", views.commitment_reopen, name="commitment_reopen"),
]
