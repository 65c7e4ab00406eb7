"""An I-247N never authorizes a hold, whatever its date (R4.1): stored ones lose the hold deadline they were given.

``incidents.detainers.services`` no longer derives a ``hold_deadline`` for a form that cannot authorize a
hold (``checks.form_authorizes_hold``), so such a detainer shows no countdown and the deadline sweep
watches its release time instead (``HOLD_WITHOUT_AUTHORITY``). Detainers saved before that carry a
deadline; this clears it (and the deadline warning mark that went with it), one history row each,
attributed to nobody (a data migration), with the reason saying so.
"""

from django.db import migrations
from django.utils import timezone

REASON = "An I-247N never authorizes a hold: no hold deadline (R4.1; migration 0018)"


def clear_deadlines(apps, schema_editor):
    Detainer = apps.get_model("incidents", "Detainer")
    Historical = apps.get_model("incidents", "HistoricalDetainer")
    now = timezone.now()
    # The history leaves out some columns (the name keys): copy only what it has.
    kept = {field.attname for field in Historical._meta.concrete_fields}
    fields = [field.attname for field in Detainer._meta.concrete_fields if field.attname in kept]
    history = []
    for detainer in Detainer.objects.filter(form="I-247N", hold_deadline__isnull=False).iterator():
        detainer.hold_deadline = None
        detainer.deadline_alerted_at = None
        detainer.save(update_fields=["hold_deadline", "deadline_alerted_at"])
        history.append(
            Historical(
                **{attname: getattr(detainer, attname) for attname in fields},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
                history_user=None,
            )
        )
    Historical.objects.bulk_create(history, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0018_recorded_rule_break_explanations")]

    operations = [migrations.RunPython(clear_deadlines, migrations.RunPython.noop)]
