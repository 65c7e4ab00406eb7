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

from django.utils import timezone

from compliance.core.audit import acting_as

VERSION = "CNA-5th-2018-09"
SOURCE = "U.S. Department of State, Consular Notification and Access manual, 5th ed., Sept 2018"
DATA = Path(__file__).resolve().parent.parent / "data" / "mandatory_notification_countries.csv"
#: The reason on the shipped rows' first history rows (migration 0016; attributed to nobody).
BASELINE_REASON = "Shipped with the application (incidents migration 0005: State Dept. CNA manual, 5th ed., 2018)"


def shipped_list_load(country_list_model, country_model) -> bool:
    """Create the shipped list version and its countries unless that version exists: whether it was created.

    Takes the two model classes (``ConsularCountryList``, ``ConsularCountry``), so a migration passes its
    historical models and the ``post_migrate`` receiver the current ones. Written with ``bulk_create``: no
    history row here; ``shipped_list_baseline`` writes the first ones, with the reason saying where they came from.
    """
    if country_list_model.objects.filter(version=VERSION).exists():
        return False
    (country_list,) = country_list_model.objects.bulk_create(
        [
            country_list_model(
                version=VERSION,
                source=SOURCE,
                published_on=date(2018, 9, 1),
                effective_from=date(2018, 9, 1),
                confirmed=False,
                notes="[U] The exact list is unconfirmed: check it against the current manual (DOMAIN.md R5.6).",
            )
        ]
    )
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


def shipped_list_baseline(apps) -> None:
    """Give every country list and country without history its first "+" row: nobody's, ``BASELINE_REASON``.

    ``apps``: a registry with the historical models (a migration's, or the project's). Idempotent: rows that
    already have history are left alone (migration 0016, and after ``shipped_list_ensure`` loads the list again).
    """
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
                history_change_reason=BASELINE_REASON,
                history_user=None,
            )
            for row in model.objects.exclude(pk__in=have)
        ]
        historical.objects.bulk_create(rows, batch_size=500)


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
    if country_list_model.objects.using(using).exists():
        return
    # The project's audited managers write the history of a bulk_create themselves: nobody's, with the reason.
    with acting_as(None, reason=BASELINE_REASON):
        if shipped_list_load(country_list_model, country_model):
            shipped_list_baseline(apps)
