"""The data inventory (SECURITY.md G1): every field of every model of our four apps, personal or not.

One ``Entry`` per model (its label, e.g. ``"incidents.Detainer"``): what the model is for, each field holding
personal data with its category, purpose, legal basis, retention schedule and what the purge does to it, the
links to staff accounts (a user id is personal data about a member of staff), and the remaining fields by name
(not personal). ``Historical*`` models follow their base model, plus the history columns (``HISTORY_FIELDS``).

``tests/compliance/test_privacy_inventory.py`` introspects the models and fails on a field missing here or
listed here and gone, so a new field fails CI until it is classified; ``manage.py privacy_inventory`` writes
``docs/privacy/inventory.md`` from this module (a test checks the committed file is current).

Retention schedule keys are ``compliance.core.models.Schedule`` values (the nightly purge applies them with each
agency's periods) or one of ``KEPT`` (kept for the life of the record they belong to; not purged by age).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.core.models import Schedule

# What the purge does with a personal field once its schedule has run out.
ERASE = "erased (blank)"
KEEP_ANONYMOUS = "kept: not identifying once the identity fields are erased (the statistics need it)"
DELETE_ROW = "row deleted"
DELETE_FILE = "file deleted from storage, row kept as a fact"
NOT_PURGED = "not purged by age"

#: Schedules that are not applied by age: the record is kept as long as its purpose lasts.
KEPT = {
    "staff_record": "Staff and officer records: kept while the agency's 287(g) agreement and its audits need them "
    "(training and designation history, R2.x); deactivated, never deleted by the purge.",
    "community_record": "Community contacts, committee members and outreach records: the agency's public record "
    "of consultation (R3.6); kept while the agency keeps that record; a contact is deactivated, not deleted.",
    "audit_attribution": "Who acted, in the audit trail: kept with the audit row (SECURITY.md D1, D7).",
}

BASIS_287G = "8 U.S.C. 1357(g) and the agency's 287(g) MOA; the agency's records schedule"
BASIS_COMPLAINT = "The MOA's complaint procedure (Appendix B, R3.5); the agency's records schedule"
BASIS_EMPLOYMENT = "Employment and the MOA's officer requirements (R2.x)"
BASIS_SECURITY = "CJIS Security Policy AU-2/AU-3/AU-11 (audit); SECURITY.md D1–D7"
BASIS_OUTREACH = "The MOA's steering committee and community outreach (R3.6)"


@dataclass(frozen=True)
class Personal:
    """One kind of personal data: ``category``, ``purpose``, legal ``basis``, retention ``schedule`` (a
    ``Schedule`` value or a ``KEPT`` key) and what the purge does (``on_purge``)."""

    category: str
    purpose: str
    basis: str
    schedule: str
    on_purge: str = ERASE


@dataclass(frozen=True)
class Entry:
    """One model: its purpose, ``personal`` fields (name → ``Personal``), ``staff`` links to user accounts and
    ``other`` fields (space-separated names) that hold no personal data."""

    purpose: str
    personal: dict[str, Personal] = field(default_factory=dict)
    staff: str = ""
    other: str = ""

    def staff_fields(self) -> list[str]:
        return self.staff.split()

    def other_fields(self) -> list[str]:
        return self.other.split()

    def field_names(self) -> set[str]:
        return set(self.personal) | set(self.staff_fields()) | set(self.other_fields())


# The kinds of personal data, each used by several fields.
SUBJECT_IDENTITY = Personal(
    "subject identity",
    "Identify the person the detainer names; match the same subject (STOP R5.1, subject holds)",
    BASIS_287G,
    Schedule.DETAINER_SUBJECT,
)
SUBJECT_FACTS = Personal(
    "subject facts",
    "The detainer's legal checks and the published figures (R4.x, R5.x)",
    BASIS_287G,
    Schedule.DETAINER_SUBJECT,
    KEEP_ANONYMOUS,
)
SUBJECT_TEXT = Personal(
    "free text that may name people",
    "What staff wrote about the subject's case (claims, resolutions, explanations, charges)",
    BASIS_287G,
    Schedule.DETAINER_SUBJECT,
)
THIRD_PARTY_NAME = Personal(
    "third-party identity",
    "Who served the detainer, the supervising ICE officer (R3.4)",
    BASIS_287G,
    Schedule.DETAINER_SUBJECT,
)
COMPLAINANT_CONTACT = Personal(
    "complainant contact",
    "Reply to the person who complained (R3.5)",
    BASIS_COMPLAINT,
    Schedule.COMPLAINT,
    DELETE_ROW,
)
CASE_TEXT = Personal(
    "free text that may name people",
    "The case's narrative, investigation and decisions (R3.5)",
    BASIS_COMPLAINT,
    Schedule.COMPLAINT,
)
CASE_FILE = Personal(
    "file that may hold personal data",
    "Evidence attached to a case (R3.5)",
    BASIS_COMPLAINT,
    Schedule.CASE_ATTACHMENT,
    DELETE_FILE,
)
STAFF_IDENTITY = Personal(
    "staff identity",
    "Who the officer or user is: roster, sign-in, notices (R2.x)",
    BASIS_EMPLOYMENT,
    "staff_record",
    NOT_PURGED,
)
STAFF_TRAINING = Personal(
    "staff training and vetting",
    "Whether the officer may act: checks, credentials, exams (R2.7–R2.9)",
    BASIS_EMPLOYMENT,
    "staff_record",
    NOT_PURGED,
)
STAFF_TEXT = Personal(
    "free text that may name people",
    "Notes staff wrote about officers, actions and commitments",
    BASIS_EMPLOYMENT,
    "staff_record",
    NOT_PURGED,
)
ACCESS_TRAIL = Personal(
    "audit trail",
    "Who saw or changed what, from where (SECURITY.md D1–D3)",
    BASIS_SECURITY,
    Schedule.AUDIT_LOG,
    DELETE_ROW,
)
MAIL_BODY = Personal(
    "message to a person",
    "Deliver notices and reminders (R2.4, R3.5)",
    BASIS_EMPLOYMENT,
    Schedule.NOTIFICATION,
    ERASE,
)
REPORT_FILE = Personal(
    "file that may hold personal data",
    "A generated PDF report (names in the detainer log, rosters)",
    BASIS_287G,
    Schedule.REPORT,
    DELETE_FILE,
)
IMPORT_FILE = Personal(
    "file that may hold personal data",
    "An uploaded import file, kept to preview and confirm it",
    BASIS_287G,
    Schedule.IMPORT_FILE,
    DELETE_FILE,
)
COMMUNITY_CONTACT = Personal(
    "community contact",
    "Who the agency consulted and how to reach them (R3.6)",
    BASIS_OUTREACH,
    "community_record",
    NOT_PURGED,
)
COMMUNITY_TEXT = Personal(
    "free text that may name people",
    "Notes, minutes and summaries of outreach and committee work (R3.6)",
    BASIS_OUTREACH,
    "community_record",
    NOT_PURGED,
)
HOLD_SUBJECT = Personal(
    "subject identity (keyed)",
    "Match every record of a subject under a legal hold (issue #14 item 4)",
    BASIS_287G,
    "audit_attribution",
    NOT_PURGED,
)

#: The columns django-simple-history adds to every ``Historical*`` model (the other columns follow the base).
COMPLIANCE_DOCUMENT = Personal(
    "file or note that may name people",
    "Evidence a person attached to show an MOA requirement is met (minutes, policies, signed forms)",
    "The MOA's requirements and their inspection (DOMAIN.md §3, §6.4 item 7)",
    "staff_record",
    NOT_PURGED,
)

HISTORY_FIELDS = Entry(
    purpose="History row of a change (its reason never holds personal data: ``compliance.core.audit.acting_as``)",
    staff="history_user",
    other="history_id history_date history_type history_change_reason",
)

INVENTORY: dict[str, Entry] = {
    # --- compliance (ground floor) ---
    "compliance.AccessLog": Entry(
        "Who saw which record or list, from where (SECURITY.md D1–D3, D7)",
        {"username": ACCESS_TRAIL, "ip_address": ACCESS_TRAIL, "session_hash": ACCESS_TRAIL, "path": ACCESS_TRAIL},
        staff="user",
        other="id at agency action outcome content_type object_id object_count view_name",
    ),
    "compliance.AccountEvent": Entry(
        "Account changes and sign-ins (SECURITY.md A10, D7)",
        {"detail": ACCESS_TRAIL, "ip_address": ACCESS_TRAIL},
        staff="actor target",
        other="id at agency action",
    ),
    "compliance.Agency": Entry(
        "The agency", other="id created_at updated_at public_id name state county agency_type ori time_zone"
    ),
    "compliance.Agreement": Entry(
        "The 287(g) MOA",
        other="id created_at updated_at public_id agency model status signed_on expires_on moa_link "
        "max_authorized_officers refresher_interval_months igsa",
    ),
    "compliance.Finding": Entry(
        "A rule broken and its handling (§6.4)",
        {"summary": CASE_TEXT, "resolution_note": STAFF_TEXT, "reopen_reason": STAFF_TEXT},
        staff="resolved_by acknowledged_by reopened_by",
        other="id created_at updated_at public_id agency kind severity status rule content_type object_id opened_at "
        "resolved_at acknowledged_at reopened_at",
    ),
    "compliance.JobRun": Entry(
        "One run of a local-day job", other="id job agency local_date started_at finished_at attempts"
    ),
    "compliance.OutboundMail": Entry(
        "An e-mail claimed once and sent once (F-12)",
        {"subject": MAIL_BODY, "body": MAIL_BODY, "to": MAIL_BODY, "error": MAIL_BODY},
        other="id key purpose state message_id created_at sending_at sent_at attempts",
    ),
    "compliance.Report": Entry(
        "A requested PDF report",
        {"file": REPORT_FILE, "parameters": REPORT_FILE, "plan": REPORT_FILE, "error": REPORT_FILE},
        staff="requested_by",
        other="id created_at updated_at public_id agency kind status as_of period_start basis checked_at sha256 "
        "page_count parts_total parts_done attempts dispatched_at started_at finished_at retry_of",
    ),
    "compliance.ReportPart": Entry(
        "A rendered part of a report", {"file": REPORT_FILE}, other="id report number page_count rendered_at"
    ),
    "compliance.RetentionSettings": Entry(
        "An agency's retention periods",
        staff="confirmed_by",
        other="id agency detainer_subject_days complaint_days case_attachment_days report_days import_file_days "
        "notification_days audit_log_days session_days confirmed_at",
    ),
    "compliance.AgreementRequirement": Entry(
        "One MOA clause as a requirement and where it stands (issue #15)",
        staff="confirmed_by",
        other="id created_at updated_at public_id agency agreement clause key title text moa_section source evidence "
        "parameters position active confirmed_at status status_reason status_since last_met_on checked_at",
    ),
    "compliance.RequirementDocument": Entry(
        "A document attached as evidence for a requirement",
        {"file": COMPLIANCE_DOCUMENT, "note": COMPLIANCE_DOCUMENT, "title": COMPLIANCE_DOCUMENT},
        staff="uploaded_by",
        other="id created_at updated_at public_id agency requirement content_type_name size sha256 valid_from "
        "valid_until withdrawn_at",
    ),
    "compliance.RequirementNotice": Entry(
        "A requirement's change to at risk or not met, told once in the digest (issue #15)",
        other="id agency requirement status reason changed_at",
    ),
    "compliance.RequirementNoticeDelivery": Entry(
        "A requirement notice told to one user in one digest",
        staff="recipient",
        other="id notice sent_for_date sent_at",
    ),
    "compliance.Integration": Entry(
        "A JMS allowed to call the API for one agency; its token kept as a hash (issue #15)",
        staff="user created_by revoked_by",
        other="id created_at updated_at public_id agency name token_prefix token_hash revoked_at last_used_at "
        "webhook_url webhook_secret",
    ),
    "compliance.FeedEvent": Entry(
        "An event told to the agency's integrations (record ids, times, rule; no personal data)",
        other="id public_id agency kind occurred_at record_type record_id data dedup_key",
    ),
    "compliance.IdempotencyKey": Entry(
        "An integration's idempotency key: the request's hash and the created record's id (no personal data)",
        other="id integration key request_sha256 response_status record_id created_at",
    ),
    "compliance.WebhookDelivery": Entry(
        "One feed event's delivery to one integration's webhook: state, attempts, last status (no reply text)",
        staff="retried_by",
        other="id event integration state attempts created_at next_attempt_at last_attempt_at delivered_at "
        "last_status_code last_error retried_at",
    ),
    "compliance.LegalHold": Entry(
        "A legal hold on a record or a subject",
        {"subject_key": HOLD_SUBJECT, "reference": STAFF_TEXT, "release_reason": STAFF_TEXT},
        staff="placed_by released_by",
        other="id created_at updated_at public_id agency scope content_type object_id reason placed_at released_at",
    ),
    "compliance.RetentionPurge": Entry(
        "The audit row of a purge (counts, never the data)",
        staff="configured_by",
        other="id agency kind schedule period_days cutoff configured_at purged held started_at finished_at",
    ),
    "compliance.PurgedRecord": Entry(
        "A record whose personal data was purged", other="id content_type object_id schedule purged_at"
    ),
    "compliance.User": Entry(
        "A member of staff's account",
        {
            "username": STAFF_IDENTITY,
            "first_name": STAFF_IDENTITY,
            "last_name": STAFF_IDENTITY,
            "email": STAFF_IDENTITY,
            "last_login": STAFF_IDENTITY,
            "password": STAFF_IDENTITY,
        },
        other="id is_superuser is_staff is_active date_joined home_agency locked_at",
    ),
    # --- training ---
    "training.Course": Entry(
        "A course", other="id created_at updated_at public_id agency code name validity_months hours delivery required"
    ),
    "training.Rank": Entry("A rank", other="id created_at updated_at public_id agency name seniority"),
    "training.Officer": Entry(
        "An officer nominated or designated under the MOA (R2.x)",
        {
            "first_name": STAFF_IDENTITY,
            "last_name": STAFF_IDENTITY,
            "last_name_key": STAFF_IDENTITY,
            "first_name_key": STAFF_IDENTITY,
            "badge_number": STAFF_IDENTITY,
            "email": STAFF_IDENTITY,
            "us_citizen": STAFF_TRAINING,
            "lea_background_check_on": STAFF_TRAINING,
            "ice_background_check_on": STAFF_TRAINING,
            "privacy_waiver_on_file": STAFF_TRAINING,
            "service_commitment_signed": STAFF_TRAINING,
            "ice_credential_id": STAFF_TRAINING,
            "ice_credential_issued_on": STAFF_TRAINING,
        },
        staff="user supervisor",
        other="id created_at updated_at public_id agency unit rank status agreement certified_on separated_early",
    ),
    "training.Certification": Entry(
        "An officer's completed course",
        {"certificate_number": STAFF_TRAINING},
        other="id created_at updated_at public_id agency officer course completed_on expires_on lapse_recorded_on",
    ),
    "training.OfficerTrainingFacts": Entry(
        "Stored training facts per officer", other="officer agency missing_required earliest_expiry refreshed_at"
    ),
    "training.CertificateFile": Entry(
        "A certificate's scan",
        {"file": STAFF_TRAINING, "original_name": STAFF_TRAINING},
        staff="uploaded_by",
        other="id created_at updated_at public_id agency certification content_type size_bytes sha256",
    ),
    "training.PendingImport": Entry(
        "A roster file between preview and confirmation",
        {"file": IMPORT_FILE, "file_name": IMPORT_FILE},
        staff="uploaded_by",
        other="id created_at updated_at public_id agency encoding sha256 finished_at file_format size status "
        "expires_at only_valid_rows",
    ),
    "training.OfficerStatusChange": Entry(
        "An officer's status over time",
        {"note": STAFF_TEXT},
        staff="recorded_by",
        other="id officer status previous_status effective_on recorded_at",
    ),
    "training.ExamAttempt": Entry(
        "An officer's exam",
        {"score_percent": STAFF_TRAINING, "passed": STAFF_TRAINING},
        other="id created_at updated_at public_id agency officer course exam_name taken_on is_remediation",
    ),
    "training.CertificationReminder": Entry(
        "A reminder sent for a certification (how many recipients, not who)",
        other="id certification threshold_days sent_at sent_for_date recipients",
    ),
    "training.AgencyTrainingSettings": Entry(
        "Reminder thresholds", other="id agency reminder_thresholds_days updated_at"
    ),
    "training.ReminderDigest": Entry(
        "One digest e-mail per recipient and day",
        {"recipient_email": MAIL_BODY},
        staff="recipient",
        other="id sent_for_date sent_at emailed",
    ),
    "training.ReminderDelivery": Entry("A notice in a digest", other="id digest notice role"),
    "training.Notification": Entry(
        "An in-app notification",
        {"text": MAIL_BODY},
        staff="recipient",
        other="id public_id agency digest link created_at read_at",
    ),
    "training.TrainingRequirement": Entry(
        "A training requirement of an agreement",
        other="id created_at updated_at public_id agency agreement course kind due_rule validity_months hours "
        "delivery_mode confidence source",
    ),
    "training.TrainingSession": Entry(
        "A scheduled class",
        {"instructor": STAFF_IDENTITY},
        staff="certifications_issued_by",
        other="id created_at updated_at public_id agency course starts_on ends_on location exam_required "
        "certifications_issued_at",
    ),
    "training.SessionEnrollment": Entry(
        "An officer enrolled in a class",
        {"exam_score_percent": STAFF_TRAINING},
        other="id created_at updated_at session officer public_id attended is_remediation certification",
    ),
    # --- incidents ---
    "incidents.Detainer": Entry(
        "The detainer log: one detainer lodged against a person booked into the jail (§4, R4.x)",
        {
            "subject_last_name": SUBJECT_IDENTITY,
            "subject_first_name": SUBJECT_IDENTITY,
            "subject_last_name_key": SUBJECT_IDENTITY,
            "subject_first_name_key": SUBJECT_IDENTITY,
            "subject_date_of_birth": SUBJECT_IDENTITY,
            "a_number": SUBJECT_IDENTITY,
            "a_number_index": SUBJECT_IDENTITY,
            "booking_number": SUBJECT_IDENTITY,
            "underlying_charge": SUBJECT_TEXT,
            "citizenship_claim_details": SUBJECT_TEXT,
            "citizenship_resolution_note": SUBJECT_TEXT,
            "citizenship_escalated_to": THIRD_PARTY_NAME,
            "explanation": SUBJECT_TEXT,
            "served_by": THIRD_PARTY_NAME,
            "ice_supervisor": THIRD_PARTY_NAME,
            "subject_sex": SUBJECT_FACTS,
            "subject_country_of_citizenship": SUBJECT_FACTS,
            "consular_nationality": SUBJECT_FACTS,
            "uscitizenship_claimed": SUBJECT_FACTS,
            "citizenship_sign_us_birthplace": SUBJECT_FACTS,
            "citizenship_sign_us_id": SUBJECT_FACTS,
            "citizenship_sign_us_parent": SUBJECT_FACTS,
            "citizenship_sign_derived": SUBJECT_FACTS,
            "citizenship_category": SUBJECT_FACTS,
            "offense_level": SUBJECT_FACTS,
            "minor_offense_only": SUBJECT_FACTS,
            "service_language": SUBJECT_FACTS,
        },
        staff="citizenship_escalated_by citizenship_resolved_by",
        other="id created_at updated_at public_id agency citizenship_claim_at citizenship_opla_consulted_at "
        "citizenship_escalated_at citizenship_resolution citizenship_resolved_at consular_mandatory "
        "consular_country_list consular_advised_of_right_at consular_requested consular_notified_at consular_method "
        "consular_officer consular_warned_at form_version issuing_office box_1_probable_cause "
        "box_2_transfer_for_proceeding pc_basis release_cause local_hold_authority agreement action action_at "
        "booked_at form issued_at received_at warrant_type warrant_signed would_be_released_at hold_deadline "
        "outcome outcome_at lift_reason handling_officer deadline_alerted_at served_on_subject_at interpreter_used "
        "service_interpreter_type ice_notified_at",
    ),
    "incidents.DetainerAction": Entry(
        "A 287(g) action on a detainer (R1.6)",
        {"notes": SUBJECT_TEXT, "explanation": SUBJECT_TEXT, "ice_supervisor": THIRD_PARTY_NAME},
        staff="recorded_by",
        other="id created_at updated_at public_id agency detainer kind performed_at officer agreement language "
        "interpreter_used interpreter_type prior_approval_reference prior_approval_at",
    ),
    "incidents.DeadlineAlert": Entry(
        "A hold-deadline warning sent", other="id detainer lead_hours hold_deadline sent_at recipient_count"
    ),
    "incidents.ReleaseNoticeAlert": Entry(
        "A release-notice warning sent", other="id detainer release_at sent_at recipient_count"
    ),
    "incidents.DetainerImport": Entry(
        "A facility-level detainer file (no personal data in its rows)",
        {"file": IMPORT_FILE, "file_name": IMPORT_FILE},
        staff="uploaded_by",
        other="id created_at updated_at public_id agency encoding sha256 finished_at file_format status "
        "only_valid_rows row_count rows_skipped",
    ),
    "incidents.DetainerEvent": Entry(
        "A facility-level detainer event (no person)",
        other="id agency batch occurred_on lift_reason lift_reason_raw facility city state detainer_type",
    ),
    "incidents.Incident": Entry(
        "A case: a complaint or an incident (R3.5)",
        {
            "title": CASE_TEXT,
            "description": CASE_TEXT,
            "location": CASE_TEXT,
            "officer_description": CASE_TEXT,
            "investigation_summary": CASE_TEXT,
            "closure_reason": CASE_TEXT,
            "review_narrative": CASE_TEXT,
            "open_actions_reason": CASE_TEXT,
            "reopen_reason": CASE_TEXT,
        },
        staff="reported_by triaged_by investigator closed_by reviewer",
        other="id created_at updated_at public_id agency kind severity status source occurred_at "
        "immigration_related tracking_number received_at detainer triaged_at merged_into assigned_at submitted_at "
        "closure closed_at reopened_at",
    ),
    "incidents.ComplaintContact": Entry(
        "How to reach a complainant",
        {"name": COMPLAINANT_CONTACT, "email": COMPLAINANT_CONTACT, "phone": COMPLAINANT_CONTACT},
        other="id incident language",
    ),
    "incidents.CaseAttachment": Entry(
        "A file attached to a case",
        {"file": CASE_FILE, "file_name": CASE_FILE},
        staff="uploaded_by",
        other="id public_id incident content_type size sha256 scan uploaded_at from_public",
    ),
    "incidents.SubjectOfficer": Entry(
        "An officer a case is about", staff="added_by", other="id incident officer added_at"
    ),
    "incidents.Allegation": Entry(
        "An allegation and its disposition",
        {"text": CASE_TEXT, "disposition_note": CASE_TEXT},
        staff="disposed_by created_by",
        other="id incident officer disposition disposed_at created_at",
    ),
    "incidents.CaseEvent": Entry(
        "A line of a case's timeline", {"text": CASE_TEXT}, staff="actor", other="id incident at kind"
    ),
    "incidents.IncidentSettings": Entry(
        "An agency's case settings", other="id agency ice_referral_hours investigation_target_days"
    ),
    "incidents.Referral": Entry(
        "A referral of a case to ICE OPR, OIG, CRCL",
        {"response": CASE_TEXT},
        staff="recorded_by",
        other="id created_at updated_at public_id agency incident recipient referred_at reference_number response_on",
    ),
    "incidents.CorrectiveAction": Entry(
        "A corrective action of a case",
        {"description": STAFF_TEXT, "evidence": STAFF_TEXT, "cancel_reason": STAFF_TEXT},
        staff="owner closed_by created_by",
        other="id created_at updated_at public_id agency incident allegation kind due_on status completed_on closed_at",
    ),
    "incidents.CorrectiveActionReminder": Entry(
        "A reminder sent for a corrective action", staff="recipient", other="id action kind for_date sent_at"
    ),
    "incidents.ConsularCountryList": Entry(
        "The mandatory-notification country list",
        other="id version source published_on effective_from confirmed notes created_at",
    ),
    "incidents.ConsularCountry": Entry("A country on the list", other="id country_list code name aliases note"),
    # --- community ---
    "community.Organisation": Entry(
        "An organisation the agency consults",
        {"notes": COMMUNITY_TEXT},
        other="id created_at updated_at public_id agency name name_key kind website active",
    ),
    "community.Contact": Entry(
        "A person at an organisation",
        {
            "name": COMMUNITY_CONTACT,
            "name_key": COMMUNITY_CONTACT,
            "role": COMMUNITY_CONTACT,
            "email": COMMUNITY_CONTACT,
            "phone": COMMUNITY_CONTACT,
            "languages": COMMUNITY_CONTACT,
            "notes": COMMUNITY_TEXT,
        },
        other="id created_at updated_at public_id agency organisation active",
    ),
    "community.OutreachEvent": Entry(
        "An outreach event",
        {"summary": COMMUNITY_TEXT},
        other="id created_at updated_at public_id agency kind title held_on location attendance languages "
        "interpretation_provided topics",
    ),
    "community.EventParticipant": Entry(
        "Who took part in an event",
        staff="staff added_by removed_by",
        other="id public_id event organisation contact added_at removed_at",
    ),
    "community.EventMaterial": Entry(
        "A file shared at an event",
        {"file": COMMUNITY_TEXT, "file_name": COMMUNITY_TEXT, "description": COMMUNITY_TEXT},
        staff="uploaded_by",
        other="id public_id event content_type size sha256 scan uploaded_at",
    ),
    "community.Commitment": Entry(
        "A promise the agency made",
        {"description": COMMUNITY_TEXT, "evidence": COMMUNITY_TEXT, "drop_reason": COMMUNITY_TEXT},
        staff="owner closed_by created_by",
        other="id created_at updated_at public_id agency event meeting due_on status completed_on closed_at",
    ),
    "community.CommitmentReminder": Entry(
        "A reminder sent for a commitment", staff="recipient", other="id commitment kind for_date sent_at"
    ),
    "community.CommitteeRequirement": Entry(
        "The steering committee requirement",
        other="id agreement required meeting_interval_months minutes_approval_days quorum updated_at",
    ),
    "community.CommitteeMember": Entry(
        "A member of the steering committee",
        {"name": COMMUNITY_CONTACT, "role": COMMUNITY_CONTACT},
        other="id created_at updated_at public_id agency organisation contact voting term_start term_end",
    ),
    "community.CommitteeMeeting": Entry(
        "A steering committee meeting",
        {
            "agenda": COMMUNITY_TEXT,
            "minutes": COMMUNITY_TEXT,
            "minutes_file": COMMUNITY_TEXT,
            "minutes_file_name": COMMUNITY_TEXT,
            "cancel_reason": COMMUNITY_TEXT,
        },
        staff="minutes_approved_by",
        other="id created_at updated_at public_id agency starts_at location status public_attendance "
        "minutes_approved_on",
    ),
    "community.MeetingAttendance": Entry("A member at a meeting", other="id meeting member present"),
    "community.CommitteeDecision": Entry(
        "A decision of a meeting", {"text": COMMUNITY_TEXT}, other="id public_id meeting number"
    ),
    "community.MinutesReminder": Entry(
        "A reminder to approve minutes", staff="recipient", other="id meeting for_date sent_at"
    ),
    "community.TransparencySettings": Entry(
        "What the agency publishes",
        staff="published_by",
        other="id agency sections suppression_threshold published_sections published_threshold published "
        "published_at updated_at",
    ),
}

#: The apps whose models the inventory covers.
APPS = ("compliance", "training", "incidents", "community")


def base_label(model) -> str:
    """The inventory label of ``model``: its own, or its base model's for a ``Historical*`` model."""
    base = getattr(model, "instance_type", None)
    return (base or model)._meta.label


def entry_fields(model) -> dict[str, str]:
    """``{field name: "personal" | "staff" | "other"}`` as the inventory classifies ``model``'s concrete fields.

    A ``Historical*`` model gets its base model's classification plus ``HISTORY_FIELDS``.
    Raises ``KeyError`` when the model has no entry.
    """
    entries = [INVENTORY[base_label(model)]]
    if getattr(model, "instance_type", None) is not None:
        entries.append(HISTORY_FIELDS)
    out: dict[str, str] = {}
    for entry in entries:
        out.update(dict.fromkeys(entry.other_fields(), "other"))
        out.update(dict.fromkeys(entry.staff_fields(), "staff"))
        out.update(dict.fromkeys(entry.personal, "personal"))
    return out


def personal_fields(label: str, *, schedule: str | None = None) -> list[str]:
    """The personal fields of model ``label`` (optionally only those under ``schedule`` that the purge erases)."""
    entry = INVENTORY[label]
    return [
        name
        for name, kind in entry.personal.items()
        if schedule is None or (kind.schedule == schedule and kind.on_purge == ERASE)
    ]
