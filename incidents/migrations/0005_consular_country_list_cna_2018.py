"""Load the mandatory-notification country list shipped in incidents/data (DOMAIN.md R5.6).

Source: U.S. Department of State, Consular Notification and Access manual, 5th ed.,
September 2018. [U]: the exact list is unconfirmed (see incidents/data/README.md);
administrators correct it in the Django admin by adding a new version.
"""

from django.db import migrations

from incidents.consular.shipped_list import VERSION, shipped_list_load


def load(apps, schema_editor):
    shipped_list_load(apps.get_model("incidents", "ConsularCountryList"), apps.get_model("incidents", "ConsularCountry"))


def unload(apps, schema_editor):
    apps.get_model("incidents", "ConsularCountryList").objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_part_b_citizenship_consular")]

    operations = [migrations.RunPython(load, unload)]
