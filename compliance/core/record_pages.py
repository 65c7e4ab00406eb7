"""Where each kind of record has its page: "app_label.model" → (URL name, attribute holding the public id).

Used by the findings pages (a finding's record) and the access log (a logged record).
"""

RECORD_PAGES: dict[str, tuple[str, str]] = {
    "incidents.detainer": ("incidents:detainer_detail", "public_id"),
    "incidents.incident": ("incidents:incident_detail", "public_id"),
    "training.officer": ("training:officer_detail", "public_id"),
    "training.certification": ("training:officer_detail", "officer.public_id"),
    "community.committeemeeting": ("community:committee_meeting", "public_id"),
}
