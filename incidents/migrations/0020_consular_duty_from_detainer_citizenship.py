"""The consular duty starts from what the agency already knows: the detainer's country of citizenship (R5.4).

``consular_mandatory`` is now derived from the nationality recorded in the consular section, else from
``subject_country_of_citizenship`` (``incidents.consular.services.consular_derive``), so the partial index
of outstanding duties keys on ``consular_mandatory`` alone (``consular_duty_outstanding_q``).

Existing detainers with a country of citizenship and an empty consular section get the duty derived here,
as the service would on their next save: the list in effect on the agency-local date of the booking (else
the receipt), matched on the ISO code, a name or an alias. Each changed detainer gets one history row,
attributed to nobody (a data migration), with the reason saying so. A U.S. citizenship derives nothing.
"""

from zoneinfo import ZoneInfo

import django.db.models.functions.comparison
from django.db import migrations, models
from django.utils import timezone

REASON = "Consular duty derived from the detainer's country of citizenship (R5.4; migration 0019)"
US_NAMES = {"us", "u.s.", "usa", "u.s.a.", "united states", "united states of america", "america"}


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def derive(apps, schema_editor):
    Detainer = apps.get_model("incidents", "Detainer")
    Historical = apps.get_model("incidents", "HistoricalDetainer")
    CountryList = apps.get_model("incidents", "ConsularCountryList")
    lists = list(CountryList.objects.order_by("effective_from"))
    if not lists:
        return
    names = {}
    for country_list in lists:
        known = set()
        for country in country_list.countries.all():
            known |= {_norm(country.code), _norm(country.name)}
            known |= {_norm(alias) for alias in country.aliases.split(";") if alias.strip()}
        names[country_list.pk] = known
    rows = (
        Detainer.objects.filter(consular_nationality="", consular_mandatory__isnull=True)
        .exclude(subject_country_of_citizenship="")
        .select_related("agency")
    )
    now = timezone.now()
    # The history leaves out some columns (the name keys): copy only what it has.
    kept = {field.attname for field in Historical._meta.concrete_fields}
    fields = [field.attname for field in Detainer._meta.concrete_fields if field.attname in kept]
    history = []
    for detainer in rows.iterator():
        if _norm(detainer.subject_country_of_citizenship) in US_NAMES:
            continue
        start = detainer.booked_at or detainer.received_at
        day = timezone.localdate(start, timezone=ZoneInfo(detainer.agency.time_zone))
        in_effect = [item for item in lists if item.effective_from <= day]
        country_list = in_effect[-1] if in_effect else lists[0]
        detainer.consular_country_list_id = country_list.pk
        detainer.consular_mandatory = _norm(detainer.subject_country_of_citizenship) in names[country_list.pk]
        detainer.save(update_fields=["consular_country_list", "consular_mandatory"])
        history.append(
            Historical(
                **{attname: getattr(detainer, attname) for attname in fields},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
                history_user=None,
            )
        )
    Historical.objects.bulk_create(history, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0019_notification_only_forms_have_no_hold_deadline")]

    operations = [
        migrations.RemoveIndex(model_name="detainer", name="detainer_consular_due_idx"),
        migrations.AddIndex(
            model_name="detainer",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce("booked_at", "received_at"),
                condition=models.Q(
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
        migrations.RunPython(derive, migrations.RunPython.noop),
    ]
