"""What designation needs on the officer's own record: the nomination checklist (R2.8) and the ICE credential (R2.9).

Pure reads of an ``Officer`` row (no query). The designation gate
(``training.lifecycle.services.officer_set_status``), the import's row check and
the authorization rule (``training.roster.authorization``) all read these lists,
so "checklist complete" means the same everywhere. ``complete_q`` is the same
condition as a queryset filter, for the roster counts (``training.roster.selectors``).
"""

from __future__ import annotations

from django.db.models import Q

# The nomination checklist (R2.8 [C], MOA clause "Nomination of Personnel"): field name → what messages call it.
CHECKLIST = {
    "us_citizen": "U.S. citizen",
    "lea_background_check_on": "LEA 5-year background check date",
    "ice_background_check_on": "ICE background check date",
    "privacy_waiver_on_file": "privacy waiver on file",
    "service_commitment_signed": "2-year service commitment signed",
}

# The credential ICE issues to those who pass the course (R2.9 [S]): field name → what messages call it.
CREDENTIAL = {
    "ice_credential_id": "ICE credential id",
    "ice_credential_issued_on": "ICE credential issue date",
}


def checklist_missing(officer) -> list[str]:
    """The nomination checklist items (R2.8) not done for ``officer``, in checklist order. No query.

    Args:
        officer: a ``training.Officer`` (saved or not).

    Returns:
        The labels of ``CHECKLIST`` whose field is false, blank or None; empty when complete.
    """
    return [label for name, label in CHECKLIST.items() if not getattr(officer, name)]


def credential_missing(officer) -> list[str]:
    """The parts of the ICE credential (R2.9: id and issue date) not recorded for ``officer``. No query."""
    return [label for name, label in CREDENTIAL.items() if not getattr(officer, name)]


def complete_q(prefix: str = "") -> Q:
    """A filter for officers whose checklist and credential are complete (``checklist_missing`` and
    ``credential_missing`` both empty); ``prefix`` is the path to the officer (e.g. ``"officer__"``)."""
    return Q(
        **{
            f"{prefix}us_citizen": True,
            f"{prefix}lea_background_check_on__isnull": False,
            f"{prefix}ice_background_check_on__isnull": False,
            f"{prefix}privacy_waiver_on_file": True,
            f"{prefix}service_commitment_signed": True,
            f"{prefix}ice_credential_issued_on__isnull": False,
        }
    ) & ~Q(**{f"{prefix}ice_credential_id": ""})
