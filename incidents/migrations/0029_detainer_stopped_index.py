"""The agency's detainers in STOP, newest first: a partial index for the STOP's same-subject check (R5.1)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0028_audit_append_only"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("uscitizenship_claimed", True),
                        ("citizenship_sign_us_birthplace", True),
                        ("citizenship_sign_us_id", True),
                        ("citizenship_sign_us_parent", True),
                        ("citizenship_sign_derived", True),
                        _connector="OR",
                    ),
                    ("citizenship_resolution__in", ["", "citizen_confirmed"]),
                ),
                fields=["agency", "-received_at"],
                name="detainer_stopped_idx",
            ),
        ),
    ]
