"""The incidents app's models module, as Django loads it: re-exports each topic's models."""

from incidents.actions.models import DetainerAction
from incidents.case_files.models import CaseAttachment, case_file_path
from incidents.citizenship.models import CitizenshipCategory, CitizenshipFields, CitizenshipResolution
from incidents.complaints.models import ComplaintContact
from incidents.consular.models import (
    ConsularCountry,
    ConsularCountryList,
    ConsularFields,
    ConsularMethod,
    consular_duty_outstanding_q,
)
from incidents.corrective_actions.models import CorrectiveAction, CorrectiveActionReminder
from incidents.detainer_import.models import DetainerEvent, DetainerImport, detainer_import_path
from incidents.detainers.choices import InterpreterType
from incidents.detainers.models import DeadlineAlert, Detainer, DetainerQuerySet, ReleaseNoticeAlert
from incidents.incident_log.models import (
    Allegation,
    CaseEvent,
    Disposition,
    Incident,
    IncidentQuerySet,
    IncidentSettings,
    SubjectOfficer,
)
from incidents.referrals.models import Referral

__all__ = [
    "DetainerQuerySet",
    "Detainer",
    "DeadlineAlert",
    "ReleaseNoticeAlert",
    "InterpreterType",
    "DetainerAction",
    "CitizenshipCategory",
    "CitizenshipResolution",
    "CitizenshipFields",
    "ConsularCountryList",
    "ConsularCountry",
    "consular_duty_outstanding_q",
    "ConsularMethod",
    "ConsularFields",
    "detainer_import_path",
    "DetainerImport",
    "DetainerEvent",
    "IncidentQuerySet",
    "Incident",
    "Disposition",
    "SubjectOfficer",
    "Allegation",
    "CaseEvent",
    "IncidentSettings",
    "CorrectiveAction",
    "CorrectiveActionReminder",
    "Referral",
    "ComplaintContact",
    "CaseAttachment",
    "case_file_path",
]
