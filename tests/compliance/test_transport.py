"""TLS on the app's hops to PostgreSQL and Redis (SECURITY.md E1, issue #14 item 5): settings, deploy checks, compose.

Settings are read once per process, so the environment → settings tests read them in a fresh interpreter; the
deploy checks (``compliance.transport``) are called with the settings they look at overridden, and once through
``manage.py check --deploy`` with a production environment.
"""

import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase, override_settings

from compliance.core.beat_lock import tls_options
from compliance.transport import is_local_host, postgresql_warnings, redis_warnings, transport_checks
from tests.compliance.test_headers import MANAGE, PRODUCTION
from tests.compliance.test_pooler_settings import load_compose
from tests.compliance.test_settings import run_python

ROOT = Path(__file__).resolve().parents[2]
REMOTE_PG = "postgres://app:secret@db.internal.example:5432/compliance"
PRINT = (
    "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'compliance.settings'); "
    "from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default'], 'broker_ssl': getattr(s, 'CELERY_BROKER_USE_SSL', None), "
    "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']}, default=str))"
)


def settings_from(**environment) -> dict:
    """The database, broker and cache settings a process started with ``environment`` reads (DEBUG, TESTING on)."""
    env = {
        key: value
        for key, value in os.environ.items()
        # PYTEST_XDIST_*: a parallel test process's own Redis database (settings) is not what this reads.
        if not key.startswith(("DATABASE_", "REDIS_", "PYTEST_XDIST_")) and key != "CACHE_REDIS_IN_TEST"
    }
    env.update({"TESTING": "1", "DEBUG": "1", **environment})
    out = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class TransportSettingsTests(SimpleTestCase):
    def test_E1_postgres_sslmode_from_environment(self):
        db = settings_from(
            DATABASE_URL=REMOTE_PG, DATABASE_SSLMODE="verify-full", DATABASE_SSLROOTCERT="/run/secrets/internal_ca"
        )["db"]
        self.assertEqual(db["OPTIONS"]["sslmode"], "verify-full")
        self.assertEqual(db["OPTIONS"]["sslrootcert"], "/run/secrets/internal_ca")
        self.assertEqual(db["OPTIONS"]["options"], "-c jit=off")  # the other options stay

    def test_E1_postgres_tls_behind_pgbouncer_too(self):
        db = settings_from(DATABASE_URL=REMOTE_PG, DATABASE_POOLER="pgbouncer", DATABASE_SSLMODE="verify-full")["db"]
        self.assertEqual(db["OPTIONS"], {"sslmode": "verify-full"})

    def test_E1_postgres_sslmode_in_the_url_works_and_the_variables_win(self):
        url = REMOTE_PG + "?sslmode=require&sslrootcert=/etc/ca.pem"
        self.assertEqual(settings_from(DATABASE_URL=url)["db"]["OPTIONS"]["sslmode"], "require")
        db = settings_from(DATABASE_URL=url, DATABASE_SSLMODE="verify-full")["db"]
        self.assertEqual((db["OPTIONS"]["sslmode"], db["OPTIONS"]["sslrootcert"]), ("verify-full", "/etc/ca.pem"))

    def test_E1_sqlite_takes_no_tls_options(self):
        db = settings_from(DATABASE_SSLMODE="verify-full")["db"]
        self.assertTrue(db["ENGINE"].endswith("sqlite3"))
        self.assertNotIn("sslmode", db["OPTIONS"])

    def test_E1_redis_rediss_with_certificate_checks_for_broker_and_cache(self):
        read = settings_from(
            REDIS_URL="rediss://redis.internal.example:6379/0",
            REDIS_SSL_CA_FILE="/run/secrets/internal_ca",
            CACHE_REDIS_IN_TEST="1",
        )
        self.assertEqual(read["broker"], "rediss://redis.internal.example:6379/0")
        self.assertEqual(
            read["broker_ssl"], {"ssl_cert_reqs": int(ssl.CERT_REQUIRED), "ssl_ca_certs": "/run/secrets/internal_ca"}
        )
        self.assertEqual(read["cache"]["LOCATION"], "rediss://redis.internal.example:6379/0")
        self.assertEqual(
            read["cache"]["OPTIONS"], {"ssl_cert_reqs": "required", "ssl_ca_certs": "/run/secrets/internal_ca"}
        )

    def test_E1_plain_redis_takes_no_tls_options(self):
        read = settings_from(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_REDIS_IN_TEST="1")
        self.assertIsNone(read["broker_ssl"])
        self.assertEqual(read["cache"]["OPTIONS"], {})

    def test_E1_the_beat_lock_connects_with_the_same_tls(self):
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "x",
            "OPTIONS": {"sslmode": "verify-full", "sslrootcert": "/ca.pem", "options": "-c jit=off"},
        }
        self.assertEqual(tls_options(database), {"sslmode": "verify-full", "sslrootcert": "/ca.pem"})


PG = "django.db.backends.postgresql"


def pg(host: str, **options) -> dict:
    return {"ENGINE": PG, "NAME": "compliance", "HOST": host, "OPTIONS": options}


REQUIRED = {"ssl_cert_reqs": "required"}
BROKER_TLS = {"ssl_cert_reqs": ssl.CERT_REQUIRED}


def ids(
    database=None, redis_url: str = "", broker_ssl=None, cache_options=None, debug=False, beat_lock_url=""
) -> list[str]:
    """The ids ``check --deploy``'s transport check gives for these settings (none given: PostgreSQL verified)."""
    overrides = {
        "DEBUG": debug,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_USE_SSL": broker_ssl,
        "CACHES": {"default": {"BACKEND": "x", "OPTIONS": cache_options or {}}},
    }
    database = database or pg("db.internal", sslmode="verify-full", sslrootcert="/ca.pem")
    with override_settings(**overrides):
        if debug:
            return [warning.id for warning in transport_checks()]
        found = postgresql_warnings(database, beat_lock_url=beat_lock_url) + redis_warnings(
            redis_url, broker_ssl=broker_ssl, cache_options=cache_options or {}
        )
        return [warning.id for warning in found]


class TransportDeployCheckTests(SimpleTestCase):
    def test_E1_postgres_over_the_network_without_verify_full_warns(self):
        for sslmode in ("", "disable", "prefer", "require", "verify-ca"):
            options = {"sslmode": sslmode} if sslmode else {}
            self.assertEqual(ids(pg("db.internal", **options, sslrootcert="/ca.pem")), ["compliance.W101"], sslmode)

    def test_E1_postgres_verify_full_without_a_root_certificate_warns(self):
        self.assertEqual(ids(pg("10.0.0.5", sslmode="verify-full")), ["compliance.W102"])

    def test_E1_postgres_verify_full_with_a_root_certificate_passes(self):
        self.assertEqual(ids(), [])

    def test_E1_redis_without_rediss_warns(self):
        self.assertEqual(ids(redis_url="redis://redis.internal:6379/0"), ["compliance.W103"])

    def test_E1_rediss_with_certificate_checks_off_warns(self):
        url = "rediss://redis.internal:6379/0"
        self.assertEqual(ids(redis_url=url, broker_ssl=BROKER_TLS, cache_options=REQUIRED), [])
        self.assertEqual(
            ids(redis_url=url + "?ssl_cert_reqs=none", broker_ssl=BROKER_TLS, cache_options=REQUIRED),
            ["compliance.W104"],
        )
        self.assertEqual(ids(redis_url=url, broker_ssl=None, cache_options=REQUIRED), ["compliance.W104"])
        optional = {"ssl_cert_reqs": ssl.CERT_OPTIONAL}
        self.assertEqual(ids(redis_url=url, broker_ssl=optional, cache_options=REQUIRED), ["compliance.W104"])
        self.assertEqual(
            ids(redis_url=url, broker_ssl=BROKER_TLS, cache_options={"ssl_cert_reqs": "none"}), ["compliance.W104"]
        )

    def test_E1_servers_on_loopback_or_a_socket_are_exempt(self):
        for host in ("", "localhost", "127.0.0.1", "127.0.0.53", "::1", "[::1]", "/var/run/postgresql"):
            self.assertTrue(is_local_host(host), host)
            self.assertEqual(ids(pg(host), redis_url=f"redis://{host or 'localhost'}:6379/0"), [], host)
        for host in ("db", "10.0.0.5", "db.example.gov", "::2"):
            self.assertFalse(is_local_host(host), host)

    def test_E1_the_beat_lock_url_counts_as_a_host_too(self):
        beat = "postgres://u@db.internal:5432/compliance"
        self.assertEqual(ids(pg("127.0.0.1"), beat_lock_url=beat), ["compliance.W101"])

    def test_E1_no_warning_with_debug_on(self):
        self.assertEqual(ids(debug=True, redis_url="redis://redis.internal/0"), [])


def test_E1_check_deploy_warns_for_production_without_tls_and_passes_with_it():
    argv = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    plain = {**PRODUCTION, "DATABASE_URL": REMOTE_PG, "REDIS_URL": "redis://redis.internal.example:6379/0"}
    for key in ("DATABASE_SSLMODE", "DATABASE_SSLROOTCERT", "REDIS_SSL_CA_FILE", "BEAT_LOCK_DATABASE_URL"):
        plain[key] = ""
    result = run_python(MANAGE.format(argv=argv), **plain)
    assert result.returncode != 0
    assert "compliance.W101" in result.stderr and "compliance.W103" in result.stderr, result.stderr
    secure = {
        **plain,
        "DATABASE_SSLMODE": "verify-full",
        "DATABASE_SSLROOTCERT": "/run/secrets/internal_ca",
        "REDIS_URL": "rediss://redis.internal.example:6379/0",
        "REDIS_SSL_CA_FILE": "/run/secrets/internal_ca",
    }
    result = run_python(MANAGE.format(argv=argv), **secure)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


class ComposeTlsTests(SimpleTestCase):
    def setUp(self):
        self.compose = load_compose()
        self.services = self.compose["services"]

    def test_E1_compose_runs_the_app_on_tls_to_postgresql_and_redis(self):
        for name in ("web", "worker", "beat", "migrate"):
            env = self.services[name]["environment"]
            self.assertEqual(env["DATABASE_SSLMODE"], "verify-full", name)
            self.assertEqual(env["DATABASE_SSLROOTCERT"], "/run/secrets/internal_ca", name)
            self.assertTrue(env["REDIS_URL"].startswith("rediss://"), name)
            self.assertEqual(env["REDIS_SSL_CA_FILE"], "/run/secrets/internal_ca", name)
            self.assertIn("internal_ca", self.services[name]["secrets"], name)

    def test_E1_compose_servers_speak_tls_with_certificates_mounted_as_secrets(self):
        db = self.services["db"]["command"]
        self.assertIn("ssl=on", db)
        self.assertIn("ssl_cert_file=/run/secrets/db_cert", db)
        pooler = self.services["pgbouncer"]["environment"]
        self.assertEqual(pooler["CLIENT_TLS_SSLMODE"], "require")
        self.assertEqual(pooler["SERVER_TLS_SSLMODE"], "verify-full")
        redis = self.services["redis"]["command"]
        self.assertEqual(redis[redis.index("--port") + 1], "0")  # the plain port is closed
        self.assertEqual(redis[redis.index("--tls-port") + 1], "6379")
        for service in ("db", "pgbouncer", "redis"):
            for secret in self.services[service]["secrets"]:
                self.assertTrue(self.compose["secrets"][secret]["file"].startswith("./deploy/tls/internal/"), secret)
