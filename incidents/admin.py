"""Django admin for the incidents app (site administrators): the consular country list.

The mandatory-notification country list (R5.6) is shipped as data
(``incidents/data/mandatory_notification_countries.csv``) and corrected here. Add a
new version with its own effective date rather than editing an old one, so earlier
arrests keep the list that applied to them.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compliance.core.forms import ADMIN_BOUNDED_DATES
from incidents.consular.models import ConsularCountry, ConsularCountryList


class ConsularCountryInline(admin.TabularInline):
    model = ConsularCountry
    extra = 0
    fields = ("code", "name", "aliases", "note")


@admin.register(ConsularCountryList)
class ConsularCountryListAdmin(SimpleHistoryAdmin):
    list_display = ("version", "effective_from", "published_on", "confirmed", "source")
    list_filter = ("confirmed",)
    readonly_fields = ("created_at",)
    inlines = [ConsularCountryInline]
    formfield_overrides = ADMIN_BOUNDED_DATES  # its dates, like every form's, stay inside the app's calendar


@admin.register(ConsularCountry)
class ConsularCountryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "country_list", "note")
    list_filter = ("country_list",)
    search_fields = ("name", "code", "aliases")
