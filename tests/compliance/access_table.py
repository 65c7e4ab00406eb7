"""The one table of who may reach each URL: URL name → what the page needs (SECURITY.md C1, C4).

Every URL pattern the resolver knows (allauth's under ``/accounts/``, the admin, our own
pages; static and media excluded) must have a line here, or
``test_C1_every_url_pattern_is_in_the_table`` fails naming it. Adding a page is one line:

    "training:course_edit": Need(access.CHANGE, "training.course", post=True),

``need`` is an agency permission of ``compliance.core.access`` (VIEW, CHANGE, REVIEW, EXPORT,
ADMINISTER), or ``PUBLIC``, ``SIGNED_IN`` (any signed-in user, own account pages) or
``SUPERUSER`` (the site admin). ``record`` names one of the records built per agency in
``tests/compliance/test_access_matrix.py`` when the route takes a record's id; ``OWN`` marks
records that belong to one user, not an agency (an import in preview, a notification): the
matrix requests them with an id that exists for no one (404 for everyone signed in), and the
owner's side is tested in the file named in the comment. ``post`` says the view accepts POST;
``get=False`` that it answers GET with 405.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.core import access
from compliance.core.history import AUDITED_MODELS

PUBLIC = "public"
SIGNED_IN = "any signed-in user"
SUPERUSER = "superuser only"
#: A record owned by one user: requested with an id nobody owns (404 for all signed-in users).
OWN = "own"


@dataclass(frozen=True)
class Need:
    need: str
    record: str | None = None
    post: bool = False
    get: bool = True
    kwargs: dict = field(default_factory=dict)
    #: A list page any signed-in user may open, showing only rows of agencies where they hold ``need``.
    rows_only: bool = False
    #: A POST by the entitled user ends the session (sign-out): the matrix signs in again after it.
    signs_out: bool = False
    #: The permission a POST needs when it differs from the page's (a page others may read, only some change).
    post_need: str | None = None


def _history() -> tuple[Need, ...]:
    return tuple(Need(access.VIEW, label, kwargs={"model_label": label}) for label in AUDITED_MODELS)


V, C, R, E, ADM = access.VIEW, access.CHANGE, access.REVIEW, access.EXPORT, access.ADMINISTER

#: URL name (or route, for unnamed patterns) → the needs of its requests.
TABLE: dict[str, tuple[Need, ...] | Need] = {
    # Our pages without a record: the agency permission the page needs somewhere.
    "dashboard": Need(V, rows_only=True),
    "access_log": Need(E),
    "training:roster": Need(V, rows_only=True),
    "training:roster_export_csv": Need(E),
    "training:roster_export_xlsx": Need(E),
    "training:officer_create": Need(C, post=True),
    "training:course_list": Need(V, rows_only=True),
    "training:course_create": Need(C, post=True),
    "training:agreement_list": Need(ADM),
    "training:rank_list": Need(ADM, post=True),
    "training:roster_import": Need(C, post=True),
    "training:roster_import_template": Need(SIGNED_IN),
    "training:roster_import_template_xlsx": Need(SIGNED_IN),
    "training:notification_list": Need(SIGNED_IN),
    "training:notifications_read_all": Need(SIGNED_IN, post=True, get=False),
    "training:reminder_settings": Need(ADM, post=True),
    "training:session_list": Need(V, rows_only=True),
    "training:session_create": Need(C, post=True),
    "incidents:detainer_list": Need(V, post=True, rows_only=True),
    "incidents:detainer_create": Need(C, post=True),
    "incidents:detainer_export": Need(E),
    "incidents:custody_board": Need(V, rows_only=True),
    "incidents:custody_board_rows": Need(V, rows_only=True),
    "incidents:detainer_import": Need(C, post=True),
    "incidents:offense_levels": Need(V, rows_only=True),
    "incidents:incident_list": Need(V, rows_only=True),
    "incidents:incident_create": Need(C, post=True),
    "incidents:corrective_action_list": Need(V, rows_only=True),
    "incidents:case_settings": Need(ADM, post=True),
    # Retention (issue #14 items 3-4): schedules for administrators; legal holds for supervisors and administrators.
    # The MOA checklist (issue #15 item 1): everyone of the agency reads; supervisors and administrators check now
    # and attach documents; administrators apply the templates and edit, confirm and add requirements.
    "moa:index": Need(V, rows_only=True),
    "moa:checklist": Need(V, "compliance.agreement"),
    "moa:check_now": Need(R, "compliance.agreement", post=True, get=False),
    "moa:apply_templates": Need(ADM, "compliance.agreement", post=True, get=False),
    "moa:requirement_add": Need(ADM, "compliance.agreement", post=True),
    "moa:requirement_edit": Need(ADM, "compliance.agreementrequirement", post=True),
    "moa:requirement_confirm": Need(ADM, "compliance.agreementrequirement", post=True, get=False),
    "moa:document_add": Need(R, "compliance.agreementrequirement", post=True),
    "moa:document_withdraw": Need(R, "compliance.requirementdocument", post=True),
    "moa:document_download": Need(V, "compliance.requirementdocument"),
    "retention:settings": Need(E, post=True, post_need=ADM),
    "retention:holds": Need(E),
    "retention:hold_place_detainer": Need(R, "incidents.detainer", post=True),
    "retention:hold_place_case": Need(R, "incidents.incident", post=True),
    "retention:hold_release": Need(R, "compliance.legalhold", post=True),
    # An integration's webhook (issue #15 item 4): its agency's administrators only; 404 for everyone else.
    "integrations_webhook:settings": Need(ADM, "compliance.integration", post=True),
    "integrations_webhook:secret": Need(ADM, "compliance.integration", post=True, get=False),
    "integrations_webhook:test": Need(ADM, "compliance.integration", post=True, get=False),
    "integrations_webhook:retry": Need(ADM, "compliance.integration", post=True, get=False),
    "community:outreach_list": Need(V, rows_only=True),
    "community:outreach_create": Need(C, post=True),
    "community:commitment_list": Need(V, rows_only=True),
    "community:commitment_create": Need(C, post=True),
    "community:organisation_list": Need(V, rows_only=True),
    "community:organisation_create": Need(C, post=True),
    "community:contact_list": Need(V, rows_only=True),
    "community:contact_create": Need(C, post=True),
    "community:committee": Need(V, rows_only=True),
    "community:committee_member_create": Need(C, post=True),
    "community:committee_meeting_create": Need(C, post=True),
    # The transparency page's settings (administrators), its preview (supervisors and administrators), publishing.
    "community:transparency_settings": Need(ADM, post=True),
    "community:transparency_preview": Need(R),
    "community:transparency_publish": Need(ADM, post=True, get=False),
    "community:transparency_withdraw": Need(ADM, post=True),
    "reports:list": Need(V, rows_only=True),
    "reports:request": Need(E, post=True),
    "reports:status": Need(V, rows_only=True),  # the reports table alone, for the page's polling
    # Verify a report's file: readers who hand reports out (export somewhere); a match is looked up where they VIEW.
    "reports:verify": Need(E, post=True),
    # Everything held about one subject, by POST (tests/compliance/test_records_request.py).
    "reports:records_request": Need(E, post=True),
    "findings:list": Need(V, rows_only=True),
    # Inspection readiness (issue #15 item 2): the agreements one may view; one agreement's page; its PDF request.
    "reports:inspection_index": Need(V, rows_only=True),
    # Our pages on one record.
    "history": _history(),
    "reports:download": Need(E, "report"),
    "reports:retry": Need(E, "report", post=True, get=False),
    "reports:inspection": Need(V, "compliance.agreement"),
    "reports:inspection_request": Need(E, "compliance.agreement", post=True, get=False),
    # A records request's JSON: for the person who asked only (owner: tests/compliance/test_records_request.py).
    "reports:download_json": Need(OWN),
    "training:officer_detail": Need(V, "training.officer"),
    "training:officer_edit": Need(C, "training.officer", post=True),
    "training:certification_create": Need(C, "training.officer", post=True),
    "training:officer_status_change": Need(C, "training.officer", post=True),
    "training:officer_checklist": Need(C, "training.officer", post=True),
    "training:exam_create": Need(C, "training.officer", post=True),
    "training:agreement_requirements": Need(ADM, "compliance.agreement"),
    "training:rank_edit": Need(ADM, "training.rank", post=True),
    "training:rank_delete": Need(ADM, "training.rank", post=True, get=False),
    "training:agreement_requirements_defaults": Need(ADM, "compliance.agreement", post=True, get=False),
    "training:agreement_requirement_add": Need(ADM, "compliance.agreement", post=True, get=False),
    "training:roster_import_preview": Need(OWN, post=True),  # owner: tests/training/test_import_views.py
    "training:roster_import_discard": Need(OWN, post=True, get=False),  # owner: same file
    "training:certificate_attach": Need(C, "training.certification", post=True),
    "training:certificate_download": Need(V, "training.certificatefile"),
    "training:notification_read": Need(OWN, post=True, get=False),  # owner: tests/training/test_notices.py
    "training:session_detail": Need(V, "training.trainingsession"),
    "training:session_enroll": Need(C, "training.trainingsession", post=True, get=False),
    "training:session_results": Need(C, "training.trainingsession", post=True, get=False),
    "training:session_issue": Need(C, "training.trainingsession", post=True, get=False),
    "training:session_unenroll": Need(C, "training.trainingsession", post=True, get=False),
    "incidents:detainer_detail": Need(V, "incidents.detainer"),
    "incidents:detainer_edit": Need(C, "incidents.detainer", post=True),
    "incidents:detainer_outcome": Need(C, "incidents.detainer", post=True, get=False),
    "incidents:detainer_action_create": Need(C, "incidents.detainer", post=True),
    "incidents:custody_action": tuple(
        Need(C, "incidents.detainer", post=True, kwargs={"action": action})
        for action in ("service", "ice-notified", "transfer", "release")
    ),
    "incidents:detainer_import_preview": Need(OWN, post=True),  # owner: tests/incidents/test_part_c_detainer_import.py
    "incidents:detainer_import_discard": Need(OWN, post=True, get=False),  # owner: same file
    "incidents:incident_detail": Need(V, "incidents.incident"),
    "incidents:incident_edit": Need(C, "incidents.incident", post=True),
    # The review steps (incidents.case_review.views.STEPS). "disposition" and "submit" need REVIEW here: the
    # case's own investigator (CHANGE) may take them too, tested in tests/incidents/test_case_page.py.
    "incidents:incident_step": tuple(
        Need(need, "incidents.incident", post=True, kwargs={"step": step})
        for step, need in (
            ("accept", R),
            ("merge", R),
            ("decline", R),
            ("assign", R),
            ("note", C),
            ("officer", C),
            ("officer-remove", C),
            ("allegation", C),
            ("disposition", R),
            ("submit", R),
            ("return", R),
            ("close", R),
            ("reopen", R),
            ("detainer", C),
            ("finding", C),
        )
    ),
    "incidents:finding_case": Need(C, "compliance.finding", post=True),
    # A supervisor, or the case's investigator (none on the matrix's case): REVIEW here; the investigator's side
    # is tested in tests/incidents/test_corrective_actions.py and test_referrals.py.
    "incidents:corrective_action_add": Need(R, "incidents.incident", post=True),
    "incidents:referral_create": Need(R, "incidents.incident", post=True),
    # A supervisor, or the action's owner (no persona here): tests/incidents/test_corrective_actions.py.
    "incidents:corrective_action_complete": Need(R, "incidents.correctiveaction", post=True),
    "incidents:corrective_action_cancel": Need(R, "incidents.correctiveaction", post=True),
    "incidents:referral_response": Need(R, "incidents.referral", post=True),
    "incidents:detainer_citizenship": Need(C, "incidents.detainer", post=True),
    "incidents:detainer_citizenship_escalate": Need(R, "incidents.detainer", post=True, get=False),
    "incidents:detainer_citizenship_resolve": Need(R, "incidents.detainer", post=True, get=False),
    "incidents:detainer_consular": Need(C, "incidents.detainer", post=True),
    # A case's attachments (upload: CHANGE; download: VIEW, never a quarantined file) and the complainant's
    # contact (the agency's supervisors, or the assigned investigator: tests/incidents/test_complainant_privacy.py).
    "incidents:attachment_add": Need(C, "incidents.incident", post=True),
    "incidents:attachment_download": Need(V, "incidents.caseattachment"),
    "incidents:complainant_contact": Need(R, "incidents.incident"),
    "community:outreach_detail": Need(V, "community.outreachevent"),
    "community:outreach_edit": Need(C, "community.outreachevent", post=True),
    # Commitments: done by its owner (no persona here) or a supervisor; drop and reopen by a supervisor. The owner's
    # side: tests/community/test_commitment_pages.py.
    "community:commitment_detail": Need(V, "community.commitment"),
    "community:commitment_edit": Need(C, "community.commitment", post=True),
    "community:commitment_complete": Need(R, "community.commitment", post=True),
    "community:commitment_drop": Need(R, "community.commitment", post=True),
    "community:commitment_reopen": Need(R, "community.commitment", post=True),
    "community:participant_add": Need(C, "community.outreachevent", post=True),
    "community:participant_remove": Need(C, "community.eventparticipant", post=True),
    "community:material_add": Need(C, "community.outreachevent", post=True),
    "community:material_download": Need(V, "community.eventmaterial"),
    "community:organisation_detail": Need(V, "community.organisation"),
    "community:organisation_edit": Need(C, "community.organisation", post=True),
    "community:organisation_status": Need(C, "community.organisation", post=True),
    "community:contact_detail": Need(V, "community.contact"),
    "community:contact_edit": Need(C, "community.contact", post=True),
    "community:contact_status": Need(C, "community.contact", post=True),
    # The steering committee: the requirement per agreement (administrators), members, meetings; minutes approved
    # by a supervisor (REVIEW). The minutes download of a meeting without a file leads back to the meeting (302).
    "community:committee_requirement": Need(ADM, "compliance.agreement", post=True),
    "community:committee_member_edit": Need(C, "community.committeemember", post=True),
    "community:committee_member_end": Need(C, "community.committeemember", post=True),
    "community:committee_meeting": Need(V, "community.committeemeeting"),
    "community:committee_meeting_edit": Need(C, "community.committeemeeting", post=True),
    "community:committee_meeting_held": Need(C, "community.committeemeeting", post=True),
    "community:committee_meeting_cancel": Need(C, "community.committeemeeting", post=True),
    "community:committee_minutes_approve": Need(R, "community.committeemeeting", post=True),
    "community:committee_minutes_download": Need(V, "community.committeemeeting"),
    "community:committee_decision_add": Need(C, "community.committeemeeting", post=True),
    "findings:detail": Need(V, "compliance.finding"),
    "findings:acknowledge": Need(R, "compliance.finding", post=True, get=False),
    "findings:resolve": Need(R, "compliance.finding", post=True, get=False),
    "findings:false_positive": Need(R, "compliance.finding", post=True, get=False),
    "findings:reopen": Need(R, "compliance.finding", post=True, get=False),
    # People pages (agency administrators): a person is addressed by their user key; "compliance.person" is a
    # staff member of the agency built for the matrix. Refusals write a "denied" account event (SECURITY.md C5).
    # The integrations (API tokens) of a jail management system: the agency administrator's (issue #15 item 3).
    "integrations:list": Need(E),  # read by supervisors and auditors too; its change links for administrators
    "integrations:create": Need(ADM, post=True),
    "integrations:revoke": Need(ADM, "compliance.integration", post=True),
    "people:list": Need(ADM),
    "people:invite": Need(ADM, post=True),
    "people:accept": Need(PUBLIC, post=True, kwargs={"uidb64": "MQ", "token": "not-a-token"}),
    "people:detail": Need(ADM, "compliance.person"),
    "people:role": Need(ADM, "compliance.person", post=True, get=False),
    "people:move": Need(ADM, "compliance.person", post=True, get=False),
    "people:deactivate": Need(ADM, "compliance.person", post=True, get=False),
    "people:reactivate": Need(ADM, "compliance.person", post=True, get=False),
    "people:unlock": Need(ADM, "compliance.person", post=True, get=False),
    # The public complaint pages (no account; English and Spanish) and the language switcher (Django's set_language).
    # A POST by anyone files a complaint or looks one up (rate-limited per address: tests/community/).
    "complaints:new": Need(PUBLIC, post=True),
    "complaints:received": Need(PUBLIC),
    "complaints:status": Need(PUBLIC, post=True),
    "set_language": Need(PUBLIC, post=True),
    # The public transparency pages (no account; rate-limited per address: tests/community/test_transparency_pages.py).
    # The agency's page and CSV with an id no agency has: 404 for everyone (a published one: the same file).
    "transparency:index": Need(PUBLIC),
    "transparency:agency": Need(PUBLIC, kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}),
    "transparency:csv": Need(PUBLIC, kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}),
    # django-allauth (own account). POSTs that change the account itself (sign-out, MFA
    # deactivation, new recovery codes) are exercised by tests/compliance/test_accounts_*.py.
    "account_login": Need(PUBLIC, post=True),
    "account_logout": Need(SIGNED_IN),
    "account_inactive": Need(PUBLIC),
    "account_signup": Need(PUBLIC, post=True),
    "account_reauthenticate": Need(SIGNED_IN),
    "account_request_reauthentication_code": Need(SIGNED_IN),
    "account_confirm_reauthentication_code": Need(SIGNED_IN),
    "account_email": Need(SIGNED_IN),
    "account_email_verification_sent": Need(PUBLIC),
    "account_change_password": Need(SIGNED_IN, post=True),
    "account_set_password": Need(SIGNED_IN),
    "account_reset_password": Need(PUBLIC, post=True),
    "account_confirm_login_code": Need(PUBLIC),
    "account_confirm_email": Need(PUBLIC, kwargs={"key": "not-a-key"}),
    "account_reset_password_from_key_done": Need(PUBLIC),
    "account_reset_password_from_key": Need(PUBLIC, kwargs={"uidb36": "1", "key": "not-a-key"}),
    "account_reset_password_done": Need(PUBLIC),
    "mfa_index": Need(SIGNED_IN),
    "mfa_authenticate": Need(PUBLIC),
    "mfa_reauthenticate": Need(SIGNED_IN),
    "mfa_activate_totp": Need(SIGNED_IN),
    "mfa_deactivate_totp": Need(SIGNED_IN),
    "mfa_view_recovery_codes": Need(SIGNED_IN),
    "mfa_generate_recovery_codes": Need(SIGNED_IN),
    "mfa_download_recovery_codes": Need(SIGNED_IN),
    "mfa_list_webauthn": Need(SIGNED_IN),
    "mfa_add_webauthn": Need(SIGNED_IN),
    "mfa_reauthenticate_webauthn": Need(SIGNED_IN),
    "mfa_remove_webauthn": Need(SIGNED_IN, kwargs={"pk": 999999}),  # a key nobody has
    "mfa_edit_webauthn": Need(SIGNED_IN, kwargs={"pk": 999999}),
    "usersessions_list": Need(SIGNED_IN),
    # The admin signs in through allauth (compliance/urls.py); every other admin page: ADMIN below.
    "admin:login": Need(PUBLIC, post=True),
    "admin:logout": Need(PUBLIC, post=True, signs_out=True),
}

#: Every admin pattern (named ``admin:*`` or routed under ``admin/``) needs a superuser; none of
#: the personas is one, so each answers a redirect to the sign-in page or 403/404.
ADMIN = Need(SUPERUSER, post=True)
