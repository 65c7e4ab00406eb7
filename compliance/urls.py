"""URL map. Records are addressed by their public UUID, never the integer key."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from compliance.views import access_log as access_log_views
from compliance.views import dashboard as dashboard_views
from compliance.views import findings as finding_views
from compliance.views import history as history_views
from compliance.views import inspection as inspection_views
from compliance.views import records_request as records_views
from compliance.views import reports as report_views

reports_patterns = (
    [
        path("", report_views.report_list, name="list"),
        path("request/", report_views.report_request, name="request"),
        path("status/", report_views.report_status, name="status"),
        path("<uuid:public_id>/retry/", report_views.report_retry, name="retry"),
        path("verify/", report_views.report_verify, name="verify"),
        path("<uuid:public_id>/download/", report_views.report_download, name="download"),
        path("inspection/", inspection_views.inspection_index, name="inspection_index"),
        path("inspection/<uuid:public_id>/", inspection_views.inspection_page, name="inspection"),
        path("inspection/<uuid:public_id>/request/", inspection_views.inspection_request, name="inspection_request"),
        path("<uuid:public_id>/download/json/", records_views.records_download_json, name="download_json"),
        path("records-request/", records_views.records_request, name="records_request"),
    ],
    "reports",
)

findings_patterns = (
    [
        path("", finding_views.finding_list, name="list"),
        path("<uuid:public_id>/", finding_views.finding_detail, name="detail"),
        path("<uuid:public_id>/acknowledge/", finding_views.finding_acknowledge, name="acknowledge"),
        path("<uuid:public_id>/resolve/", finding_views.finding_resolve, name="resolve"),
        path("<uuid:public_id>/false-positive/", finding_views.finding_false_positive, name="false_positive"),
        path("<uuid:public_id>/reopen/", finding_views.finding_reopen, name="reopen"),
    ],
    "findings",
)

# Django admin signs in through allauth too (both factors, lockout), never through its own password-only form.
admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    # django-allauth: sign-in (account_login), sign-out, password change and reset, MFA, your sessions.
    path("accounts/", include("allauth.urls")),
    path("history/<str:model_label>/<uuid:public_id>/", history_views.record_history, name="history"),
    path("people/", include("compliance.accounts.urls")),
    path("access-log/", access_log_views.access_log, name="access_log"),
    path("roster/", include("training.urls")),
    path("", include("incidents.urls")),
    path("outreach/", include("community.urls")),
    # The public complaint pages (no account; English and Spanish) and the language switcher's target (set_language).
    path("complaints/", include("community.complaint_intake.urls")),
    # The public transparency pages (no account; English and Spanish): published figures per agency, and their CSV.
    path("transparency/", include("community.transparency.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include(reports_patterns)),
    path("findings/", include(findings_patterns)),
    # Retention schedules (administrators) and legal holds (supervisors, administrators): issue #14 items 3-4.
    path("retention/", include("compliance.retention.urls")),
    # The agreement (MOA) as a checklist of requirements with evidence (issue #15 item 1).
    path("moa/", include("compliance.moa.urls")),
    # An integration's webhook: address, signing secret, test event, deliveries (issue #15 item 4; administrators).
    path("integrations/", include("compliance.integrations.webhook_urls")),
    # The REST API for jail management systems (issue #15): bearer tokens of integrations, not sessions.
    path("api/v1/", include("compliance.api.urls")),
    # The agency administrator's integrations (API tokens) for a jail management system (issue #15 item 3).
    path("integrations/", include("compliance.integrations.urls")),
    path("admin/", admin.site.urls),
]

# A resident who follows a stale link to a public page gets a "not found" page they can read (public layout, language).
handler404 = "compliance.views.errors.page_not_found"
# allauth's own rate limits (sign-in, password reset, codes) answer with this page (allauth reads handler429).
handler429 = "compliance.views.errors.too_many_requests"
