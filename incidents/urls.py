"""Detainer and incident URLs. Records are addressed by their public UUID."""

from django.urls import path

from incidents.actions import views as action_views
from incidents.case_files import views as case_file_views
from incidents.case_review import views as case_views
from incidents.citizenship import views as citizenship_views
from incidents.complaints import views as complaint_views
from incidents.consular import views as consular_views
from incidents.corrective_actions import views as corrective_action_views
from incidents.custody import views as custody_views
from incidents.detainer_import import views as import_views
from incidents.detainer_log import views as log_views
from incidents.detainers import views as detainer_views
from incidents.incident_log import views as incident_views
from incidents.offense_levels import views as offense_level_views
from incidents.referrals import views as referral_views

app_name = "incidents"
urlpatterns = [
    path("detainers/", detainer_views.detainer_list, name="detainer_list"),
    path("detainers/new/", detainer_views.detainer_create, name="detainer_create"),
    path("detainers/export/", log_views.detainer_export, name="detainer_export"),
    path("detainers/<uuid:public_id>/", detainer_views.detainer_detail, name="detainer_detail"),
    path("detainers/<uuid:public_id>/edit/", detainer_views.detainer_edit, name="detainer_edit"),
    path("detainers/<uuid:public_id>/outcome/", detainer_views.detainer_outcome, name="detainer_outcome"),
    # The log of 287(g) actions on a detainer.
    path(
        "detainers/<uuid:public_id>/actions/new/",
        action_views.detainer_action_create,
        name="detainer_action_create",
    ),
    # The custody board and its quick actions.
    path("custody/", custody_views.custody_board, name="custody_board"),
    path("custody/rows/", custody_views.custody_board_rows, name="custody_board_rows"),
    path("custody/<uuid:public_id>/<slug:action>/", custody_views.custody_action, name="custody_action"),
    # Detainer-log import: upload, preview, confirm or discard.
    path("detainer-imports/", import_views.detainer_import, name="detainer_import"),
    path(
        "detainer-imports/<uuid:public_id>/",
        import_views.detainer_import_preview,
        name="detainer_import_preview",
    ),
    path(
        "detainer-imports/<uuid:public_id>/discard/",
        import_views.detainer_import_discard,
        name="detainer_import_discard",
    ),
    path("detainers/offense-levels/", offense_level_views.offense_levels, name="offense_levels"),
    # The incident and complaint log.
    path("incidents/", incident_views.incident_list, name="incident_list"),
    path("incidents/new/", incident_views.incident_create, name="incident_create"),
    path("incidents/<uuid:public_id>/", case_views.incident_detail, name="incident_detail"),
    path("incidents/<uuid:public_id>/edit/", incident_views.incident_edit, name="incident_edit"),
    # The review workflow: one small page per step (case_review.views.STEPS), and a case from a finding.
    path("incidents/<uuid:public_id>/step/<slug:step>/", case_views.incident_step, name="incident_step"),
    path("incidents/from-finding/<uuid:public_id>/", case_views.finding_case, name="finding_case"),
    # A complaint's contact (investigator and supervisors only, access-logged) and a case's attachments.
    path("incidents/<uuid:public_id>/contact/", complaint_views.complainant_contact, name="complainant_contact"),
    path("incidents/<uuid:public_id>/attachments/new/", case_file_views.attachment_add, name="attachment_add"),
    path("attachments/<uuid:public_id>/", case_file_views.attachment_download, name="attachment_download"),
    # Corrective actions of a case, and the list of open ones.
    path(
        "incidents/<uuid:public_id>/corrective-actions/new/",
        corrective_action_views.corrective_action_add,
        name="corrective_action_add",
    ),
    path("corrective-actions/", corrective_action_views.corrective_action_list, name="corrective_action_list"),
    path(
        "corrective-actions/<uuid:public_id>/done/",
        corrective_action_views.corrective_action_complete,
        name="corrective_action_complete",
    ),
    path(
        "corrective-actions/<uuid:public_id>/cancel/",
        corrective_action_views.corrective_action_cancel,
        name="corrective_action_cancel",
    ),
    # Referrals of a case, and the agency's case settings (ICE-notice hours, investigation target).
    path("incidents/<uuid:public_id>/referrals/new/", referral_views.referral_create, name="referral_create"),
    path("referrals/<uuid:public_id>/response/", referral_views.referral_response, name="referral_response"),
    path("incidents/settings/", referral_views.case_settings, name="case_settings"),
    # U.S.-citizenship claim (STOP, escalation, resolution) and consular notification.
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
    path("detainers/<uuid:public_id>/consular/", consular_views.detainer_consular, name="detainer_consular"),
]
