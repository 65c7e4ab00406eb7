"""Give the shipped consular country list (migration 0005) its first history rows.

0005 loaded the list with ``bulk_create``, which writes no history, so the audit
trail began at the first admin edit and that edit wrote a "baseline" row even
when nothing changed. This adds one "+" row per list and country that has none,
attributed to nobody (it came with the software), with the reason saying so.
Idempotent: rows that already have history are left alone.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Shipped with the application (incidents migration 0005: State Dept. CNA manual, 5th ed., 2018)"


def baseline(apps, schema_editor):
    now = timezone.now()
    for name in ("ConsularCountryList", "ConsularCountry"):
        model = apps.get_model("incidents", name)
        historical = apps.get_model("incidents", f"Historical{name}")
        have = set(historical.objects.values_list("id", flat=True).distinct())
        fields = [field.attname for field in model._meta.concrete_fields]
        rows = [
            historical(
                **{attname: getattr(row, attname) for attname in fields},
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
                history_user=None,
            )
            for row in model.objects.exclude(pk__in=have)
        ]
        historical.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_lift_reason_labels")]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
