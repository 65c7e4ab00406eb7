# Detainer log keyset pages (incidents.detainer_log.paging): partial indexes in page order, lookup indexes;
# the expression index of migration 0008 is no longer used by any query.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_detainer_consular_due_idx"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="detainer",
            name="detainer_list_order_idx",
        ),
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(
                condition=models.Q(("outcome", "pending")),
                fields=["hold_deadline", "-received_at", "-public_id"],
                name="detainer_open_list_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(
                condition=models.Q(("outcome", "pending"), _negated=True),
                fields=["agency", "-received_at", "-public_id"],
                name="detainer_closed_agency_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(
                condition=models.Q(("outcome", "pending"), _negated=True),
                fields=["-received_at", "-public_id"],
                name="detainer_closed_recv_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(fields=["booking_number"], name="detainer_booking_number_idx"),
        ),
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(fields=["a_number"], name="detainer_a_number_idx"),
        ),
    ]
