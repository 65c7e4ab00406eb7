"""``manage.py field_keys_new``: print a new field-encryption key entry and a blind-index key (SECURITY.md E4)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from compliance.core.crypto.keys import key_new


class Command(BaseCommand):
    help = (
        "Print a new FIELD_ENCRYPTION_KEYS entry (id:base64, 32 random bytes) and a new BLIND_INDEX_KEY. "
        "Store them in your secret store, never in the repository or the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--id", default="", help="the new key's id (default: k<YYYYMMDD>)")

    def handle(self, *args, id: str = "", **options):
        key_id = id or f"k{timezone.now():%Y%m%d}"
        self.stdout.write(f"FIELD_ENCRYPTION_KEYS entry: {key_id}:{key_new()}")
        self.stdout.write(f"BLIND_INDEX_KEY (only for a new installation or a --reindex): {key_new()}")
