"""Existing incidents join the case workflow: stages from the old statuses, nothing typed lost.

open → received, under_review → supervisor review, closed → closed (reviewed, closed at its
last change). The received time is when the row was created. The old free-text "findings" and
"corrective action" become the review narrative (each labelled), so a closed case keeps what
its reviewer wrote; tracked corrective actions start with the workflow.
"""

from django.db import migrations

STAGES = {"open": "received", "under_review": "supervisor_review", "closed": "closed"}


def forwards(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    for incident in Incident.objects.all().iterator():
        incident.status = STAGES.get(incident.status, incident.status)
        incident.received_at = incident.received_at or incident.created_at
        parts = []
        if incident.findings:
            parts.append(f"Findings: {incident.findings}")
        if incident.corrective_action:
            parts.append(f"Corrective action (recorded before actions were tracked): {incident.corrective_action}")
        incident.review_narrative = "\n\n".join(parts)
        if incident.status == "closed":
            incident.closure = "reviewed"
            incident.closed_at = incident.updated_at
            incident.closed_by_id = incident.reviewer_id
        incident.save()
    # The history's copies too: their stage in the new words, and a received time (the column becomes required).
    HistoricalIncident = apps.get_model("incidents", "HistoricalIncident")
    for old, new in STAGES.items():
        HistoricalIncident.objects.filter(status=old).update(status=new)
    for row in HistoricalIncident.objects.filter(received_at__isnull=True).iterator():
        row.received_at = row.created_at
        row.save(update_fields=["received_at"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0021_incident_case_workflow")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
