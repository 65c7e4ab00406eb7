"""Give the shipped consular country list (migration 0005) its first history rows.

0005 loaded the list with ``bulk_create``, which writes no history, so the audit
trail began at the first admin edit and that edit wrote a "baseline" row even
when nothing changed. This adds one "+" row per list and country that has none,
attributed to nobody (it came with the software), with the reason saying so.
Idempotent: rows that already have history are left alone.
"""

from django.db import migrations

from incidents.consular.shipped_list import shipped_list_baseline


def baseline(apps, schema_editor):
    shipped_list_baseline(apps)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_lift_reason_labels")]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
