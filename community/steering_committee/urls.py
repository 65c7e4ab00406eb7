"""Steering-committee URLs (in the `community` namespace, mounted at /outreach/); records addressed by public UUID."""

from django.urls import path

from community.steering_committee import views

urlpatterns = [
    path("committee/", views.committee, name="committee"),
    path("committee/agreements/<uuid:public_id>/", views.committee_requirement, name="committee_requirement"),
    path("committee/members/new/", views.committee_member_create, name="committee_member_create"),
    path("committee/members/<uuid:public_id>/edit/", views.committee_member_edit, name="committee_member_edit"),
    path("committee/members/<uuid:public_id>/end/", views.committee_member_end, name="committee_member_end"),
    path("committee/meetings/new/", views.committee_meeting_create, name="committee_meeting_create"),
    path("committee/meetings/<uuid:public_id>/", views.committee_meeting, name="committee_meeting"),
    path("committee/meetings/<uuid:public_id>/edit/", views.committee_meeting_edit, name="committee_meeting_edit"),
    path("committee/meetings/<uuid:public_id>/held/", views.committee_meeting_held, name="committee_meeting_held"),
    path(
        "committee/meetings/<uuid:public_id>/cancel/", views.committee_meeting_cancel, name="committee_meeting_cancel"
    ),
    path(
        "committee/meetings/<uuid:public_id>/approve/",
        views.committee_minutes_approve,
        name="committee_minutes_approve",
    ),
    path(
        "committee/meetings/<uuid:public_id>/minutes/",
        views.committee_minutes_download,
        name="committee_minutes_download",
    ),
    path(
        "committee/meetings/<uuid:public_id>/decisions/new/",
        views.committee_decision_add,
        name="committee_decision_add",
    ),
]
