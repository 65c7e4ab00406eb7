"""Load the mandatory-notification country list shipped in incidents/data (DOMAIN.md R5.6).

Source: U.S. Department of State, Consular Notification and Access manual, 5th ed.,
September 2018. [U]: the exact list is unconfirmed (see incidents/data/README.md);
administrators correct it in the Django admin by adding a new version.
"""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

VERSION = "CNA-5th-2018-09"
SOURCE = "U.S. Department of State, Consular Notification and Access manual, 5th ed., Sept 2018"
DATA = Path(__file__).resolve().parent.parent / "data" / "mandatory_notification_countries.csv"


def load(apps, schema_editor):
    CountryList = apps.get_model("incidents", "ConsularCountryList")
    Country = apps.get_model("incidents", "ConsularCountry")
    country_list, created = CountryList.objects.get_or_create(
        version=VERSION,
        defaults={
            "source": SOURCE,
            "published_on": date(2018, 9, 1),
            "effective_from": date(2018, 9, 1),
            "confirmed": False,
            "notes": "[U] The exact list is unconfirmed: check it against the current manual (DOMAIN.md R5.6).",
        },
    )
    if not created:
        return
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    Country.objects.bulk_create(
        Country(
            country_list=country_list,
            code=row["code"].strip().upper(),
            name=row["name"].strip(),
            aliases=row["aliases"].strip(),
            note=row["note"].strip(),
        )
        for row in rows
    )


def unload(apps, schema_editor):
    apps.get_model("incidents", "ConsularCountryList").objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_part_b_citizenship_consular")]

    operations = [migrations.RunPython(load, unload)]
