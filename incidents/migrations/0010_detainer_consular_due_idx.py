# Written for the consular sweep (issue 4): outstanding consular duties by clock start.
# Only this index: other engineers' model changes of the same session get their own migration.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_release_notice_alert"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce("booked_at", "received_at"),
                condition=models.Q(
                    models.Q(("consular_nationality", ""), _negated=True),
                    ("consular_mandatory__isnull", False),
                    models.Q(
                        models.Q(("consular_mandatory", True), ("consular_notified_at__isnull", True)),
                        models.Q(("consular_advised_of_right_at__isnull", True), ("consular_mandatory", False)),
                        models.Q(
                            ("consular_mandatory", False),
                            ("consular_notified_at__isnull", True),
                            ("consular_requested", True),
                        ),
                        _connector="OR",
                    ),
                ),
                name="detainer_consular_due_idx",
            ),
        ),
    ]
