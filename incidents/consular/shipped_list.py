"""The mandatory-notification country list shipped in ``incidents/data`` (DOMAIN.md R5.6), loaded once.

Source: U.S. Department of State, Consular Notification and Access manual, 5th ed., September 2018. [U]: the
exact list is unconfirmed (see incidents/data/README.md); administrators correct it in the Django admin by adding
a new version. Migration 0005 loads it; ``shipped_list_ensure`` (after every ``migrate`` and every database flush,
the ``post_migrate`` signal) loads it again only where it is missing, so the list a detainer's duty depends on is
never absent.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

VERSION = "CNA-5th-2018-09"
SOURCE = "U.S. Department of State, Consular Notification and Access manual, 5th ed., Sept 2018"
DATA = Path(__file__).resolve().parent.parent / "data" / "mandatory_notification_countries.csv"


def shipped_list_load(country_list_model, country_model) -> bool:
    """Create the shipped list version and its countries unless that version exists: whether it was created.

    Takes the two model classes (``ConsularCountryList``, ``ConsularCountry``), so a migration passes its
    historical models and the ``post_migrate`` receiver the current ones.
    """
    country_list, created = country_list_model.objects.get_or_create(
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
        return False
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    country_model.objects.bulk_create(
        country_model(
            country_list=country_list,
            code=row["code"].strip().upper(),
            name=row["name"].strip(),
            aliases=row["aliases"].strip(),
            note=row["note"].strip(),
        )
        for row in rows
    )
    return True


def shipped_list_ensure(sender, apps=None, using="default", **kwargs) -> None:
    """``post_migrate`` receiver: load the shipped list when the database has no country list at all.

    A database flushed (a test's ``TransactionTestCase``) loses what migrations loaded; an agency that added its
    own later version keeps it, and nothing is loaded over it. ``apps``: the migration state's registry
    (``migrate`` passes it; ``flush`` does not: the project's models then).
    """
    if apps is None:
        from django.apps import apps
    try:
        country_list_model = apps.get_model("incidents", "ConsularCountryList")
        country_model = apps.get_model("incidents", "ConsularCountry")
    except LookupError:  # migrating backwards, before the list's table exists
        return
    if not country_list_model.objects.using(using).exists():
        shipped_list_load(country_list_model, country_model)
