"""Roster URLs, mounted at /roster/. Records are addressed by their public UUID."""

from django.urls import path

from training.evidence import views as evidence_views
from training.imports import views as import_views
from training.lifecycle import views as lifecycle_views
from training.ranks import views as rank_views
from training.reminders import views as notice_views
from training.requirements import views as requirement_views
from training.roster import list_views as roster_views
from training.roster import views
from training.sessions import views as session_views

app_name = "training"
urlpatterns = [
    path("", roster_views.roster, name="roster"),
    path("export.csv", roster_views.roster_export_csv, name="roster_export_csv"),
    path("export.xlsx", roster_views.roster_export_xlsx, name="roster_export_xlsx"),
    path("officers/new/", views.officer_create, name="officer_create"),
    path("officers/<uuid:public_id>/", views.officer_detail, name="officer_detail"),
    path("officers/<uuid:public_id>/edit/", views.officer_edit, name="officer_edit"),
    path("officers/<uuid:public_id>/certifications/new/", views.certification_create, name="certification_create"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    # Officer lifecycle (training.lifecycle); agreement training requirements and cap (training.requirements).
    path("officers/<uuid:public_id>/status/", lifecycle_views.officer_status_change, name="officer_status_change"),
    path("officers/<uuid:public_id>/checklist/", lifecycle_views.officer_checklist, name="officer_checklist"),
    path("officers/<uuid:public_id>/exams/new/", lifecycle_views.exam_create, name="exam_create"),
    path("agreements/", requirement_views.agreement_list, name="agreement_list"),
    # The agency's rank order (training.ranks).
    path("ranks/", rank_views.rank_list, name="rank_list"),
    path("ranks/<uuid:public_id>/edit/", rank_views.rank_edit, name="rank_edit"),
    path("ranks/<uuid:public_id>/delete/", rank_views.rank_delete, name="rank_delete"),
    path(
        "agreements/<uuid:public_id>/requirements/",
        requirement_views.agreement_requirements,
        name="agreement_requirements",
    ),
    path(
        "agreements/<uuid:public_id>/requirements/defaults/",
        requirement_views.agreement_requirements_defaults,
        name="agreement_requirements_defaults",
    ),
    path(
        "agreements/<uuid:public_id>/requirements/add/",
        requirement_views.agreement_requirement_add,
        name="agreement_requirement_add",
    ),
    # Roster import with a preview, and its templates (training.imports).
    path("import/", import_views.roster_import, name="roster_import"),
    path("import/<uuid:public_id>/", import_views.roster_import_preview, name="roster_import_preview"),
    path("import/<uuid:public_id>/discard/", import_views.roster_import_discard, name="roster_import_discard"),
    path("import/template.csv", import_views.roster_import_template, name="roster_import_template"),
    path("import/template.xlsx", import_views.roster_import_template_xlsx, name="roster_import_template_xlsx"),
    # Certificate files of a certification (training.evidence).
    path(
        "certifications/<uuid:public_id>/certificate/",
        evidence_views.certificate_attach,
        name="certificate_attach",
    ),
    path("certificates/<uuid:public_id>/", evidence_views.certificate_download, name="certificate_download"),
    # In-app notifications and reminder settings (training.reminders).
    path("notifications/", notice_views.notification_list, name="notification_list"),
    path("notifications/read-all/", notice_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<uuid:public_id>/read/", notice_views.notification_read, name="notification_read"),
    path("settings/reminders/", notice_views.reminder_settings, name="reminder_settings"),
    # Training sessions (training.sessions).
    path("sessions/", session_views.session_list, name="session_list"),
    path("sessions/new/", session_views.session_create, name="session_create"),
    path("sessions/<uuid:public_id>/", session_views.session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/enroll/", session_views.session_enroll, name="session_enroll"),
    path("sessions/<uuid:public_id>/results/", session_views.session_results, name="session_results"),
    path("sessions/<uuid:public_id>/issue/", session_views.session_issue, name="session_issue"),
    path("sessions/<uuid:public_id>/remove/", session_views.session_unenroll, name="session_unenroll"),
]
