"""Make a history table refuse inserts for a block: the audit store failing (SECURITY.md D8).

A trigger on the history table raises on INSERT (SQLite and PostgreSQL), as a revoked INSERT
privilege or a full audit volume would; it is dropped on exit.
"""

import contextlib

from simple_history.utils import get_history_model_for_model

TRIGGER = "test_audit_store_down"


@contextlib.contextmanager
def history_insert_failing(connection, model):
    """Inside the block every INSERT into ``model``'s history table fails with "audit store unavailable"."""
    table = connection.ops.quote_name(get_history_model_for_model(model)._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
            )
        else:
            raise_abort = "SELECT RAISE(ABORT, 'audit store unavailable');"
            cursor.execute(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON {table} BEGIN {raise_abort} END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
