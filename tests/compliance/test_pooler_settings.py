"""PgBouncer in transaction mode (issue #13 item 6): the settings it needs, and docker-compose.yml wired for it.

The settings are read in a fresh interpreter per environment (settings are read once per process).
docker compose cannot run here, so the compose file is parsed as YAML (PyYAML of the system Python, the one
``docker compose`` users have; skipped where it is missing) and its services' wiring checked by name.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PRINT_DATABASE = (
    "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'compliance.settings'); "
    "from django.conf import settings; print(json.dumps(settings.DATABASES['default'], default=str))"
)


def database_settings(**environment) -> dict:
    env = {**os.environ, "TESTING": "1", "DEBUG": "1", **environment}
    env.pop("CONN_MAX_AGE", None)
    if "CONN_MAX_AGE" in environment:
        env["CONN_MAX_AGE"] = environment["CONN_MAX_AGE"]
    out = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", PRINT_DATABASE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class PoolerSettingsTests(SimpleTestCase):
    URL = "postgres://app:secret@pgbouncer:6432/compliance"

    def test_directly_on_postgresql_jit_is_switched_off_by_a_connection_option(self):
        database = database_settings(DATABASE_URL=self.URL, DATABASE_POOLER="")
        self.assertEqual(database["OPTIONS"]["options"], "-c jit=off")
        self.assertFalse(database.get("DISABLE_SERVER_SIDE_CURSORS", False))
        self.assertEqual(database["CONN_MAX_AGE"], 60)

    def test_behind_pgbouncer_no_startup_option_no_server_side_cursor_no_persistent_connection(self):
        database = database_settings(DATABASE_URL=self.URL, DATABASE_POOLER="pgbouncer")
        self.assertNotIn("options", database["OPTIONS"])
        self.assertIs(database["DISABLE_SERVER_SIDE_CURSORS"], True)
        self.assertEqual(database["CONN_MAX_AGE"], 0)
        self.assertNotIn("server_side_binding", database["OPTIONS"])  # no prepared statements either

    def test_the_pooler_name_is_case_blind_and_an_unknown_one_stops_the_process_with_a_message(self):
        self.assertIs(
            database_settings(DATABASE_URL=self.URL, DATABASE_POOLER="PgBouncer")["DISABLE_SERVER_SIDE_CURSORS"], True
        )
        env = {**os.environ, "TESTING": "1", "DATABASE_URL": self.URL, "DATABASE_POOLER": "pgpool"}
        run = subprocess.run(  # noqa: S603 (our own interpreter)
            [sys.executable, "-c", PRINT_DATABASE], cwd=ROOT, env=env, capture_output=True, text=True
        )
        self.assertEqual(run.returncode, 1)
        self.assertIn("DATABASE_POOLER must be pgbouncer or empty, not 'pgpool'.", run.stderr)


def load_compose() -> dict:
    """docker-compose.yml as data (anchors and merge keys resolved; PyYAML, a dev dependency)."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


class ComposeFileTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.compose = load_compose()

    def setUp(self):
        self.services = self.compose["services"]

    def test_web_worker_and_beat_reach_postgresql_through_pgbouncer_in_transaction_mode(self):
        pooler = self.services["pgbouncer"]["environment"]
        self.assertEqual(pooler["POOL_MODE"], "transaction")
        self.assertEqual(pooler["DATABASE_URL"], "postgres://compliance:compliance@db:5432/compliance")
        port = pooler["LISTEN_PORT"]
        for name in ("web", "worker", "beat"):
            env = self.services[name]["environment"]
            self.assertEqual(env["DATABASE_URL"], f"postgres://compliance:compliance@pgbouncer:{port}/compliance", name)
            self.assertEqual(env["DATABASE_POOLER"], "pgbouncer", name)
            self.assertEqual(env["CONN_MAX_AGE"], "0", name)
            self.assertIn("REDIS_URL", env)
            self.assertIn("pgbouncer", self.services[name]["depends_on"], name)

    def test_beat_holds_its_lock_on_a_direct_connection_and_migrations_go_direct(self):
        self.assertEqual(
            self.services["beat"]["environment"]["BEAT_LOCK_DATABASE_URL"],
            "postgres://compliance:compliance@db:5432/compliance",
        )
        self.assertEqual(self.services["beat"]["deploy"]["replicas"], 1)
        migrate = self.services["migrate"]["environment"]
        self.assertEqual(migrate["DATABASE_URL"], "postgres://compliance:compliance@db:5432/compliance")
        self.assertEqual(migrate["DATABASE_POOLER"], "")

    def test_postgresql_runs_without_jit_and_the_worker_recycles_children_by_memory(self):
        self.assertEqual(self.services["db"]["command"][:3], ["postgres", "-c", "jit=off"])
        self.assertIn("--max-memory-per-child=600000", self.services["worker"]["command"])

    def test_every_service_names_an_image_or_the_app_build(self):
        for name, service in self.services.items():
            self.assertTrue("image" in service or "build" in service, name)
            for dependency in service.get("depends_on", {}):
                self.assertIn(dependency, self.services, f"{name} depends on an unknown service")
