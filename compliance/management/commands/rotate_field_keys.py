"""``manage.py rotate_field_keys``: re-encrypt every encrypted value under the first key (SECURITY.md E5)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from compliance.core.crypto.cipher import DecryptionError
from compliance.core.crypto.rotation import fields_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field value (main and history tables) under the first key of "
        "FIELD_ENCRYPTION_KEYS; --reindex also recomputes the blind indexes (after BLIND_INDEX_KEY changed). "
        "Prints counts only, never values. Safe to run again; run it before removing an old key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reindex", action="store_true", help="recompute every blind index too")

    def handle(self, *args, reindex: bool = False, **options):
        try:
            result = fields_rotate(reindex=reindex)
        except ImproperlyConfigured as error:
            raise CommandError(f"the keys are not usable: {error}. Nothing was changed.") from None
        except DecryptionError as error:
            raise CommandError(
                f"{error}: put every key still in use back into FIELD_ENCRYPTION_KEYS (after the new one) and run "
                "again. Batches already re-encrypted are kept; nothing of the failed batch was written."
            ) from None
        read = ", ".join(f"{key}: {count}" for key, count in sorted(result.found.items())) or "none"
        self.stdout.write(f"values read by key: {read}")
        for table, count in sorted(result.rewritten.items()):
            self.stdout.write(f"re-encrypted {count} values in {table}")
        for table, count in sorted(result.reindexed.items()):
            self.stdout.write(f"recomputed {count} blind indexes in {table}")
        if reindex and not result.reindexed:
            self.stdout.write("every blind index was already up to date")
        self.stdout.write(self.style.SUCCESS(f"done: {sum(result.rewritten.values())} values re-encrypted"))
