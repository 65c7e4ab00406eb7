"""Django admin for the core models, for site administrators.

Changes made here are attributed to the signed-in administrator by the history
middleware. Agency object permissions (the scope of every role) can be managed
from an agency's "Object permissions" page (django-guardian); prefer
``compliance.core.roles.role_grant`` so a user's group and permissions stay in step.
Users are deactivated, never deleted (case H3), so deletion is switched off; findings are resolved or marked
false positives, never deleted (SECURITY.md D5: they and their history are the audit trail). The access log,
account events and history tables are not registered here at all: nobody changes them (D5). A user's
names are stored as people have them (``compliance.core.names``), as on every other form.
Agreement dates are refused outside the app's calendar, as on every form (``ADMIN_BOUNDED_DATES``).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from compliance.core.forms import ADMIN_BOUNDED_DATES, PersonNameField
from compliance.core.models import Agency, Agreement, Finding, JobRun, OutboundMail, Report, User


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ("model", "status", "signed_on", "expires_on", "max_authorized_officers", "refresher_interval_months")
    show_change_link = True
    formfield_overrides = ADMIN_BOUNDED_DATES


@admin.register(Agency)
class AgencyAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "state", "county", "agency_type", "ori", "time_zone")
    list_filter = ("state", "agency_type")
    search_fields = ("name", "county", "ori")
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = [AgreementInline]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("agency", "model", "status", "signed_on", "expires_on", "igsa")
    list_filter = ("model", "status", "agency__state")
    list_select_related = ("agency",)
    search_fields = ("agency__name",)
    autocomplete_fields = ("agency",)
    readonly_fields = ("public_id", "created_at", "updated_at")
    date_hierarchy = "signed_on"
    formfield_overrides = ADMIN_BOUNDED_DATES


class UserNamesChangeForm(UserChangeForm):
    """Django's user change form, with the first and last names cleaned like every name (NFC, outer spaces)."""

    class Meta(UserChangeForm.Meta):
        model = User
        field_classes = {
            **UserChangeForm.Meta.field_classes,
            "first_name": PersonNameField,
            "last_name": PersonNameField,
        }


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserNamesChangeForm
    list_display = ("username", "first_name", "last_name", "home_agency", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")
    list_select_related = ("home_agency",)
    autocomplete_fields = ("home_agency",)
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Agency", {"fields": ("home_agency",)}))
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history keeps its authors

    @admin.action(description="Deactivate the selected users")
    def deactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            count += 1
        self.message_user(request, f"{count} user(s) deactivated.", messages.SUCCESS)


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "severity", "status", "agency", "opened_at", "resolved_at")
    list_filter = ("kind", "severity", "status")
    list_select_related = ("agency",)
    readonly_fields = ("public_id", "content_type", "object_id", "opened_at", "created_at", "updated_at")

    def has_delete_permission(self, request, obj=None):
        return False  # resolve or mark a false positive instead: a finding is part of the audit trail (D5)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are requested and rendered by the app; the admin only shows them."""

    list_display = ("kind", "agency", "as_of", "status", "requested_by", "page_count", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("agency", "requested_by")
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    """E-mails sent at most once (``compliance.core.mail_outbox``): filter by state "Unconfirmed" to see the ones
    a worker died sending (check the mail server's log for their Message-ID; they are never resent). Read-only;
    the subject, body and address are not listed."""

    list_display = ("pk", "purpose", "state", "created_at", "sending_at", "sent_at", "attempts", "error")
    list_filter = ("state", "purpose")
    readonly_fields = [field.name for field in OutboundMail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Runs of the local-day jobs (``compliance.core.local_day_jobs``): one per job, agency and local date."""

    list_display = ("job", "agency", "local_date", "started_at", "finished_at", "attempts")
    list_filter = ("job",)
    list_select_related = ("agency",)
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
