"""Field encryption of the most sensitive personal data (issue #14 item 1; SECURITY.md E4, E5).

A detainer subject's names, date of birth and A-number and a complainant's contact details are stored AES-256-GCM
encrypted in their tables and their history; a raw ``SELECT`` (and, on PostgreSQL, a ``pg_dump``) holds no
plaintext; exact look-ups go through keyed blind indexes; keys rotate.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from compliance.core.crypto import cipher, keys
from compliance.core.crypto.rotation import encrypted_models, fields_rotate
from compliance.core.roles import Role
from compliance.models import Agency
from incidents.complaints.models import ComplaintContact
from incidents.complaints.services import complaint_submit
from incidents.detainers import services
from incidents.detainers.models import Detainer
from incidents.detainers.subject_index import a_number_q, subject_name_q
from tests.base import BaseTestCase, make_user
from tests.incidents.helpers import make_detainer

#: Invented values no other test or fixture uses: what a leak would show.
SENTINEL_LAST = "Zqxvorthwyne"
SENTINEL_FIRST = "Quillabet"
SENTINEL_A_NUMBER = "A000731337"
SENTINEL_BIRTH = date(1971, 3, 29)
SENTINEL_EMAIL = "zqxvorthwyne.quillabet@example.test"
SENTINEL_PHONE = "+1 555 0173 1337"


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def raw_rows(table: str) -> list[str]:
    """Every row of ``table`` as one text line, read with SQL (no field decrypts anything)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a model's table name)
        return [" ".join(str(value) for value in row) for row in cursor.fetchall()]


def sentinel_hits(lines: list[str]) -> list[str]:
    words = (SENTINEL_LAST, SENTINEL_FIRST, SENTINEL_A_NUMBER, SENTINEL_EMAIL, SENTINEL_PHONE, "1971-03-29")
    return [word for line in lines for word in words if word.casefold() in line.casefold()]


class SubjectFieldsTests(BaseTestCase):
    def make_subject(self) -> Detainer:
        return make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name=SENTINEL_LAST,
            subject_first_name=SENTINEL_FIRST,
            subject_date_of_birth=SENTINEL_BIRTH,
            a_number=SENTINEL_A_NUMBER,
        )

    def test_E4_raw_select_of_the_detainer_and_its_history_has_no_plaintext(self):
        detainer = self.make_subject()
        services.detainer_update(detainer=detainer, actor=self.staff_a, subject_first_name=SENTINEL_FIRST + "a")
        rows = raw_rows(Detainer._meta.db_table) + raw_rows(Detainer.history.model._meta.db_table)
        self.assertEqual(sentinel_hits(rows), [])
        self.assertEqual(Detainer.history.filter(id=detainer.pk).count(), 2)
        # Through the ORM every copy reads as typed.
        stored = Detainer.objects.get(pk=detainer.pk)
        self.assertEqual(
            (stored.subject_last_name, stored.subject_first_name, stored.subject_date_of_birth, stored.a_number),
            (SENTINEL_LAST, SENTINEL_FIRST + "a", SENTINEL_BIRTH, SENTINEL_A_NUMBER),
        )
        first = Detainer.history.filter(id=detainer.pk).earliest("history_date")
        self.assertEqual((first.subject_first_name, first.subject_date_of_birth), (SENTINEL_FIRST, SENTINEL_BIRTH))

    def test_E4_every_stored_subject_value_is_ciphertext_under_the_first_key(self):
        detainer = self.make_subject()
        with connection.cursor() as cursor:
            columns = "subject_last_name, subject_first_name, subject_date_of_birth, a_number"
            cursor.execute(f"SELECT {columns} FROM {Detainer._meta.db_table} WHERE id = %s", [detainer.pk])  # noqa: S608
            stored = cursor.fetchone()
        primary = keys.field_keys()[0].id
        self.assertEqual([cipher.key_id_of(value) for value in stored], [primary] * 4)
        self.assertEqual(len({value for value in stored}), 4)
        # Randomised: the same name saved again is stored differently (the database cannot group by it).
        again = make_detainer(self.agency_a, actor=self.staff_a, number=2, subject_last_name=SENTINEL_LAST)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT subject_last_name FROM {Detainer._meta.db_table} WHERE id = %s",  # noqa: S608
                [again.pk],
            )
            self.assertNotEqual(cursor.fetchone()[0], stored[0])

    def test_E4_complainant_contact_details_are_encrypted(self):
        complaint_submit(
            agency=self.agency_a,
            description="An invented complaint for the encryption test.",
            occurred_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
            name=f"{SENTINEL_FIRST} {SENTINEL_LAST}",
            email=SENTINEL_EMAIL,
            phone=SENTINEL_PHONE,
        )
        self.assertEqual(sentinel_hits(raw_rows(ComplaintContact._meta.db_table)), [])
        contact = ComplaintContact.objects.get()
        self.assertEqual((contact.email, contact.phone), (SENTINEL_EMAIL, SENTINEL_PHONE))

    def test_E4_look_ups_go_through_the_blind_index_and_a_plain_comparison_is_refused(self):
        detainer = self.make_subject()
        make_detainer(self.agency_a, actor=self.staff_a, number=2)
        self.assertEqual(list(Detainer.objects.filter(a_number_q(SENTINEL_A_NUMBER))), [detainer])
        self.assertEqual(
            list(Detainer.objects.filter(subject_name_q(SENTINEL_LAST.upper(), SENTINEL_FIRST))), [detainer]
        )
        self.assertEqual(Detainer.objects.filter(a_number_q("")).count(), 1)  # the one without an A-number
        for lookup in ("a_number", "subject_last_name", "subject_date_of_birth"):
            with self.subTest(lookup=lookup), self.assertRaises(FieldError):
                list(Detainer.objects.filter(**{lookup: SENTINEL_BIRTH if "birth" in lookup else SENTINEL_A_NUMBER}))
        with self.assertRaises(FieldError):
            list(Detainer.objects.filter(subject_last_name__icontains="zq"))
        # The indexes themselves are keyed: not the plain value, not a plain hash of it.
        self.assertNotIn(SENTINEL_A_NUMBER.casefold(), detainer.a_number_index.casefold())
        self.assertEqual(len(detainer.a_number_index), cipher.INDEX_CHARS)

    def test_E4_an_altered_or_moved_value_does_not_decrypt(self):
        sealed = cipher.encrypt("Invented", purpose="detainer.subject_last_name")
        self.assertEqual(cipher.decrypt(sealed, purpose="detainer.subject_last_name"), "Invented")
        with self.assertRaises(cipher.DecryptionError):
            cipher.decrypt(sealed, purpose="detainer.subject_first_name")  # copied into another column
        body = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
        with self.assertRaises(cipher.DecryptionError):
            cipher.decrypt(body, purpose="detainer.subject_last_name")

    def test_E5_malformed_keys_are_refused_with_a_message(self):
        for text, message in (
            ("", "has no key"),
            ("k1", "id:base64key"),
            ("k1:not base64!", "not base64"),
            (f"k1:{base64.b64encode(b'short').decode()}", "32 bytes"),
            (f"k1:{new_key()},k1:{new_key()}", "twice"),
        ):
            with self.subTest(text=text[:8]), self.assertRaisesMessage(ImproperlyConfigured, message):
                keys.keys_parse(text)

    def test_every_encrypted_model_is_known_to_the_rotation(self):
        found = {model._meta.label: sorted(f.name for f in fields) for model, fields, _ in encrypted_models()}
        self.assertEqual(
            found,
            {
                "incidents.Detainer": ["a_number", "subject_date_of_birth", "subject_first_name", "subject_last_name"],
                "incidents.HistoricalDetainer": [
                    "a_number",
                    "subject_date_of_birth",
                    "subject_first_name",
                    "subject_last_name",
                ],
                "incidents.ComplaintContact": ["email", "name", "phone"],
                "compliance.Integration": ["webhook_secret"],
                "compliance.HistoricalIntegration": ["webhook_secret"],
            },
        )


class KeyRotationTests(BaseTestCase):
    def test_E5_new_key_first_old_rows_read_rotation_rewrites_then_the_old_key_is_removed(self):
        old, new = f"old1:{new_key()}", f"new1:{new_key()}"
        with override_settings(FIELD_ENCRYPTION_KEYS=old):
            detainer = make_detainer(
                self.agency_a,
                actor=self.staff_a,
                subject_last_name=SENTINEL_LAST,
                subject_date_of_birth=SENTINEL_BIRTH,
                a_number=SENTINEL_A_NUMBER,
            )
            services.detainer_update(detainer=detainer, actor=self.staff_a, subject_first_name=SENTINEL_FIRST)
        with override_settings(FIELD_ENCRYPTION_KEYS=f"{new},{old}"):
            # Both keys configured, nothing rewritten yet: the old rows still read.
            self.assertEqual(Detainer.objects.get(pk=detainer.pk).subject_last_name, SENTINEL_LAST)
            call_command("rotate_field_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
            key_ids = {
                cipher.key_id_of(value)
                for line in raw_rows(Detainer._meta.db_table) + raw_rows(Detainer.history.model._meta.db_table)
                for value in line.split()
                if cipher.is_encrypted(value)
            }
            self.assertEqual(key_ids, {"new1"})
            history_rows = Detainer.history.filter(id=detainer.pk).count()
        with override_settings(FIELD_ENCRYPTION_KEYS=new):
            stored = Detainer.objects.get(pk=detainer.pk)
            self.assertEqual(
                (stored.subject_last_name, stored.subject_first_name, stored.subject_date_of_birth, stored.a_number),
                (SENTINEL_LAST, SENTINEL_FIRST, SENTINEL_BIRTH, SENTINEL_A_NUMBER),
            )
            versions = Detainer.history.filter(id=detainer.pk).order_by("history_date", "history_id")
            self.assertEqual([v.subject_first_name for v in versions], ["Alex", SENTINEL_FIRST])
            self.assertEqual(len(versions), history_rows)  # the rotation wrote no history row of its own
            self.assertEqual(list(Detainer.objects.filter(a_number_q(SENTINEL_A_NUMBER))), [stored])

    def test_E5_a_value_under_a_removed_key_fails_loudly_and_a_second_rotation_rewrites_nothing(self):
        old, new = f"old1:{new_key()}", f"new1:{new_key()}"
        with override_settings(FIELD_ENCRYPTION_KEYS=old):
            detainer = make_detainer(self.agency_a, actor=self.staff_a, subject_last_name=SENTINEL_LAST)
        with override_settings(FIELD_ENCRYPTION_KEYS=new), self.assertRaises(cipher.DecryptionError):
            Detainer.objects.get(pk=detainer.pk)
        with override_settings(FIELD_ENCRYPTION_KEYS=f"{new},{old}"):
            self.assertGreater(sum(fields_rotate().rewritten.values()), 0)
            self.assertEqual(sum(fields_rotate().rewritten.values()), 0)

    def test_E5_the_command_says_in_one_line_what_is_wrong_with_the_keys(self):
        old, new = f"old1:{new_key()}", f"new1:{new_key()}"
        with override_settings(FIELD_ENCRYPTION_KEYS=old):
            make_detainer(self.agency_a, actor=self.staff_a, subject_last_name=SENTINEL_LAST)
        with override_settings(FIELD_ENCRYPTION_KEYS=new), self.assertRaisesMessage(CommandError, "put every key"):
            call_command("rotate_field_keys", stdout=io.StringIO())
        with override_settings(FIELD_ENCRYPTION_KEYS="k1:short"), self.assertRaisesMessage(CommandError, "not usable"):
            call_command("rotate_field_keys", stdout=io.StringIO())
        out = io.StringIO()
        with override_settings(FIELD_ENCRYPTION_KEYS=f"{new},{old}"):
            call_command("rotate_field_keys", "--reindex", stdout=out)
        self.assertIn("every blind index was already up to date", out.getvalue())

    def test_E5_a_new_blind_index_key_is_taken_up_by_reindex(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, a_number=SENTINEL_A_NUMBER)
        with override_settings(BLIND_INDEX_KEY=new_key()):
            self.assertFalse(Detainer.objects.filter(a_number_q(SENTINEL_A_NUMBER)).exists())
            call_command("rotate_field_keys", "--reindex", stdout=open(os.devnull, "w"))  # noqa: SIM115
            self.assertEqual(list(Detainer.objects.filter(a_number_q(SENTINEL_A_NUMBER))), [detainer])


PG_DUMP = shutil.which("pg_dump") or next(
    (str(path) for path in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), reverse=True)), None
)


class DumpTests(TransactionTestCase):
    """A ``pg_dump`` of the database holds no plaintext sentinel (committed rows: a transaction test)."""

    def setUp(self):
        if connection.vendor != "postgresql" or PG_DUMP is None:
            self.skipTest("pg_dump of PostgreSQL (CI runs it)")

    def test_E4_pg_dump_has_no_plaintext_sentinel(self):
        agency = Agency.objects.create(name="Invented Dump County Sheriff", time_zone="America/Chicago")
        actor = make_user("dump_staff", agency=agency, role=Role.STAFF)
        make_detainer(
            agency,
            actor=actor,
            subject_last_name=SENTINEL_LAST,
            subject_first_name=SENTINEL_FIRST,
            subject_date_of_birth=SENTINEL_BIRTH,
            a_number=SENTINEL_A_NUMBER,
        )
        complaint_submit(
            agency=agency,
            description="An invented complaint for the dump test.",
            occurred_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
            name=SENTINEL_LAST,
            email=SENTINEL_EMAIL,
            phone=SENTINEL_PHONE,
        )
        settings_db = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": settings_db.get("PASSWORD") or ""}
        dump = subprocess.run(  # noqa: S603 (pg_dump with fixed arguments)
            [
                PG_DUMP,
                "--data-only",
                "-h",
                settings_db.get("HOST") or "127.0.0.1",
                "-p",
                str(settings_db.get("PORT") or 5432),
                "-U",
                settings_db.get("USER") or "postgres",
                settings_db["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        self.assertIn("Invented Dump County Sheriff", dump.stdout)  # the dump is of this database
        self.assertEqual(sentinel_hits(dump.stdout.splitlines()), [])
