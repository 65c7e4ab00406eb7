"""Accounts over time and least privilege: SECURITY.md A7 (no default accounts), A8 (90 days inactive),
C6 (separation of duties), C8 (no orphan object permissions)."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import get_resolver
from django.utils import timezone

from compliance.accounts.default_accounts import DEFAULT_ACCOUNT_NAMES, default_accounts_usable
from compliance.accounts.inactivity import inactive_accounts_deactivate
from compliance.accounts.services import invitation_accept, person_deactivate
from compliance.core import access
from compliance.core.models import AccessLog, AccountEvent, User
from compliance.core.roles import ROLE_PERMISSIONS, Role
from compliance.core.system_account import system_user
from compliance.tasks import deactivate_inactive_accounts_task
from tests.base import PASSWORD, BaseTestCase, make_user


class DefaultAccountTests(BaseTestCase):
    @override_settings(DEBUG=True)
    def test_A7_no_default_account_can_sign_in_after_the_demo_seed(self):
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(default_accounts_usable(), [])
        self.assertEqual(User.objects.filter(username__in=DEFAULT_ACCOUNT_NAMES).count(), 0)

    def test_A7_the_check_finds_an_active_admin_with_a_password(self):
        User.objects.create_user("Admin", "a@example.test", "some long password 123")
        locked_out = User.objects.create_user("root", "r@example.test")  # no usable password
        self.assertFalse(locked_out.has_usable_password())
        self.assertEqual(default_accounts_usable(), ["Admin"])


class InactivityTests(BaseTestCase):
    def test_A8_91_days_without_sign_in_deactivates_89_does_not(self):
        now = timezone.now()
        stale = make_user("stale", agency=self.agency_a, role=Role.STAFF)
        fresh = make_user("fresh", agency=self.agency_a, role=Role.STAFF)
        never = make_user("never", agency=self.agency_a, role=Role.STAFF)
        User.objects.filter(pk=stale.pk).update(last_login=now - timedelta(days=91))
        User.objects.filter(pk=fresh.pk).update(last_login=now - timedelta(days=89))
        User.objects.filter(pk=never.pk).update(last_login=None, date_joined=now - timedelta(days=91))
        User.objects.exclude(pk__in=[stale.pk, fresh.pk, never.pk]).update(last_login=now)
        system = system_user()
        User.objects.filter(pk=system.pk).update(is_active=True, last_login=now - timedelta(days=400))

        self.assertEqual(deactivate_inactive_accounts_task.delay().get(), 2)

        active = dict(User.objects.values_list("username", "is_active"))
        self.assertEqual((active["stale"], active["never"], active["fresh"]), (False, False, True))
        self.assertTrue(active[settings.SYSTEM_USERNAME])
        rows = AccountEvent.objects.filter(action="deactivated")
        self.assertEqual(sorted(rows.values_list("target__username", flat=True)), ["never", "stale"])
        self.assertEqual({row.actor for row in rows}, {None})
        self.assertEqual(inactive_accounts_deactivate(), 0)  # idempotent

    def test_A8_an_invitation_accepted_within_90_days_counts_as_use(self):
        now = timezone.now()
        accepted = make_user("accepted", agency=self.agency_a, role=Role.STAFF)
        User.objects.filter(pk=accepted.pk).update(last_login=None, date_joined=now - timedelta(days=120))
        User.objects.exclude(pk=accepted.pk).update(last_login=now)
        with time_machine.travel(now - timedelta(days=89)):
            invitation_accept(user=accepted, password=PASSWORD, request=None)
        self.assertEqual(inactive_accounts_deactivate(), 0)
        self.assertEqual(inactive_accounts_deactivate(now=now + timedelta(days=2)), 1)

    def test_A8_the_job_is_scheduled_nightly_and_run_by_run_jobs(self):
        from compliance.celery import app

        tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
        self.assertIn("compliance.tasks.deactivate_inactive_accounts_task", tasks)
        out = StringIO()
        call_command("run_jobs", stdout=out)
        self.assertIn("Accounts deactivated after 90 days without a sign-in", out.getvalue())


class LeastPrivilegeTests(BaseTestCase):
    def test_C6_no_role_both_grants_permissions_and_deletes_or_exports_audit_logs(self):
        grants = {role for role, perms in ROLE_PERMISSIONS.items() if access.ADMINISTER in perms}
        self.assertEqual(grants, {Role.ADMINISTRATOR})
        # Nobody deletes audit rows: no role holds a delete permission, and the models refuse it.
        deleting = {role for role, perms in ROLE_PERMISSIONS.items() if any("delete" in perm for perm in perms)}
        self.assertEqual(deleting, set())
        for row in (AccountEvent(action="denied"), AccessLog(action="view")):
            with self.assertRaises(PermissionError):
                row.delete()
        # Nobody exports them: the access log is a page (read, filtered), with no export route; the account
        # changes are shown on a person's page only. EXPORT (held by administrators) exports records, not logs.
        names = set()

        def walk(patterns, namespace=""):
            for pattern in patterns:
                if hasattr(pattern, "url_patterns"):
                    walk(pattern.url_patterns, pattern.namespace or namespace)
                elif pattern.name:
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

        walk(get_resolver().url_patterns)
        audit_routes = {name for name in names if "access_log" in name or "account_event" in name}
        self.assertEqual(audit_routes, {"access_log"})

    def test_C8_deactivated_user_keeps_no_reach_and_the_sweep_finds_no_orphans(self):
        person = make_user("leaver", agency=self.agency_a, role=Role.SUPERVISOR)
        person_deactivate(actor=self.admin_a, request=None, user=person)
        person.refresh_from_db()
        self.assertEqual(list(access.agencies_for(person)), [])
        out = StringIO()
        call_command("clean_orphan_obj_perms", stdout=out)
        self.assertEqual(out.getvalue(), "Removed 0 object permission entries with no targets\n")
