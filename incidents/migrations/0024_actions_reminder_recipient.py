"""Corrective-action reminders are kept per recipient: (action, recipient, kind, day) is unique.

The owner and each supervisor get their own reminder row, written with their own e-mail,
so a mail failure for one recipient rolls back only that recipient's rows. No reminder
was written before this migration (nothing sent them yet); any row is dropped first.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_reminders(apps, schema_editor):
    apps.get_model("incidents", "CorrectiveActionReminder").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0023_incident_case_closure_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="correctiveactionreminder", name="action_reminder_once_per_day"),
        migrations.RunPython(drop_reminders, migrations.RunPython.noop),
        migrations.AddField(
            model_name="correctiveactionreminder",
            name="recipient",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AlterField(
            model_name="correctiveactionreminder",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddConstraint(
            model_name="correctiveactionreminder",
            constraint=models.UniqueConstraint(
                fields=("action", "recipient", "kind", "for_date"), name="action_reminder_once_per_recipient_day"
            ),
        ),
    ]
