"""Exactly one beat: a PostgreSQL session advisory lock held by the beat process (SECURITY.md F-7, issue #13).

``beat_lock_take`` opens its own connection (not Django's: Django closes and recycles connections) and takes
``pg_try_advisory_lock(BEAT_LOCK_KEY)``. It holds it for the life of the process; the lock goes with the
process (or its connection). A second beat finds it taken and exits (``compliance/celery.py``'s ``beat_init``
handler). The local-day jobs' run rows and every job's unique keys make a second beat harmless anyway; the lock
stops it scheduling at all.

Behind a transaction-mode pooler (PgBouncer) a session lock does not hold (the server connection changes between
transactions): set ``BEAT_LOCK_DATABASE_URL`` to the database itself (docker-compose.yml does). SQLite (a
development machine, one beat from ``make run``): no lock, always granted.
"""

from __future__ import annotations

import os

from django.conf import settings

#: The advisory lock's key (any fixed 64-bit number no other code uses: "287g" in ASCII).
BEAT_LOCK_KEY = 0x32383767
#: The environment variable naming the database URL the lock connection uses (default: the app's database).
URL_VARIABLE = "BEAT_LOCK_DATABASE_URL"

_held = None  # the connection that holds the lock, kept open while this process lives


def _conninfo() -> str | dict:
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    database = settings.DATABASES["default"]
    return {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
    }


def tls_options(database: dict | None = None) -> dict:
    """The TLS parameters of the app's PostgreSQL connections (``sslmode``, ``sslrootcert`` from ``database``'s
    ``OPTIONS``, by default ``DATABASES["default"]``: the environment's ``DATABASE_SSLMODE``/``DATABASE_SSLROOTCERT``
    or the URL's query), for a connection opened outside Django; {} when none is set."""
    options = (database if database is not None else settings.DATABASES["default"]).get("OPTIONS", {})
    return {key: options[key] for key in ("sslmode", "sslrootcert") if options.get(key)}


def beat_lock_take() -> bool:
    """Take the beat lock for this process; True if taken (or no lock is needed: not PostgreSQL), else False.

    Raises:
        psycopg.OperationalError: the database cannot be reached (beat should not start blind either).
    """
    global _held
    if _held is not None:
        return True
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return True
    import psycopg

    conninfo = _conninfo()
    # The same TLS as Django's connections (DATABASE_SSLMODE, DATABASE_SSLROOTCERT: SECURITY.md E1).
    tls = tls_options()
    if isinstance(conninfo, str):
        connection = psycopg.connect(conninfo, autocommit=True, application_name="compliance-beat-lock", **tls)
    else:
        params = {key: value for key, value in conninfo.items() if value is not None}
        connection = psycopg.connect(autocommit=True, application_name="compliance-beat-lock", **params, **tls)
    (taken,) = connection.execute("SELECT pg_try_advisory_lock(%s)", [BEAT_LOCK_KEY]).fetchone()
    if not taken:
        connection.close()
        return False
    _held = connection
    return True


def beat_lock_release() -> None:
    """Release the lock (tests; a process exit releases it anyway)."""
    global _held
    if _held is not None:
        _held.close()
        _held = None
