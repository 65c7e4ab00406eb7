"""Load test (issue #13 item 9): locust, headless, against gunicorn on PostgreSQL at 1,000,000 detainers.

Run (PostgreSQL only; Redis for the production cache)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55608/postgres REDIS_URL=redis://127.0.0.1:56408/0 \\
        .venv/bin/python bench/load_bench.py --keepdb

What it does:

1. Builds the data in its own ``load_bench`` database next to ``DATABASE_URL``'s (``--keepdb``: keeps it
   afterwards and, when it already holds a finished build, reuses it without building): the three agencies
   of ``bench/detainer_bench.py`` (half, 30 % and 20 % of the data; a JEM agreement, a supervisor and 20
   designated handling officers each), four staff investigators each, 10,000 roster officers in the
   largest agency with five certifications each and their stored training facts (``bench/roster_bench.py``'s
   generator), 1,000,000 detainers (``detainer_bench``: 10,000 with ``bulk_create``, 3,000 of them open, then
   copies of the closed rows in SQL), 200,000 cases with their officers, allegations, referrals, actions and
   timeline rows (``bench/incident_bench.py``'s generator, in batches of 10,000), ``VACUUM ANALYZE``.
   About 6 minutes on the 2-core machine.
2. Signs in ``--users`` people (90 % supervisors spread over the agencies like the data, 10 % auditors of all
   three) by writing each a session in the database as allauth's sign-in leaves it after both factors: the user,
   the password step and the TOTP step of a real enrolled authenticator (``tests.base.sign_in``, what the other
   benchmarks use). Why not the sign-in form: production's PBKDF2 (1,000,000 iterations) would cost a good part of a
   second of CPU per user, and allauth's limit of 30 sign-in posts per address in 15 minutes (SECURITY.md A4a)
   answers 429 to the 31st user from one loopback address; lifting that limit for the bench would test a
   weaker configuration than production's. Nothing in the server is changed: it reads these sessions through
   the same middleware (second-factor check, 12-hour lifetime, idle timeout) as any other.
3. Serves the database with gunicorn (``--workers``, default 2 × cores + 1 = 5 here, gunicorn's own advice
   for sync workers, which sit idle while PostgreSQL answers; the Dockerfile's command says 3) under
   production settings: ``DEBUG`` off, not ``TESTING``, a fresh 50-character ``SECRET_KEY``, secure
   ``__Host-`` cookies, ``PROXY_COUNT=1`` and HTTPS redirect on — locust sends
   ``X-Forwarded-Proto: https`` and ``X-Forwarded-For`` as nginx does (``deploy/nginx.conf``) — the full
   middleware stack, WhiteNoise with the ``collectstatic`` manifest (run first when missing), Redis cache, persistent
   connections (``CONN_MAX_AGE`` 60 s), PBKDF2. Then one request per page as one supervisor and one auditor
   (each must answer 200) before anything is timed.
4. Runs locust headless (``bench/locustfile.py``, ``FastHttpUser``) four times. The mixed workload is the
   supervisor dashboard, the roster (first page, a deeper page, a status filter), the detainer log (first
   page, then "Older" followed again and again: keyset pages), the custody board (first and later pages),
   and the detail pages of a detainer, an officer and a case, picked at random among 300 of each per agency.

   a. ``--users`` users with 1–3 s think time for ``--duration`` seconds: every page p95 < 300 ms, 0 errors;
   b. ``--saturate-users`` users with no think time for ``--saturate-duration`` seconds (throughput);
   c. the same users, no think time, the same duration, on the trivial page: one's notifications, signed in
      (none for these users). No ``/healthz`` exists; this is the cheapest page a signed-in user gets — the
      same session read and save, authentication, second-factor check, layout and header as every measured
      page, one small query — so the ratio measures what the pages themselves cost. Target: throughput of
      (b) ≥ 0.3 × throughput of (c), measured in this same run;
   d. for comparison only, the same on the sign-in page signed out (no session row, no user: cheaper still).

   Every response must be 200 (redirects are not followed: a 302 to the sign-in page is an error).
   Response times are the client's (locust's, in ms, exact: each sample is kept, not locust's rounded
   percentiles), so they include the loopback network and gunicorn's queue.
5. Prints a table per run, the CPU seconds per request the server's processes (gunicorn's and PostgreSQL's
   process trees) and locust used — what the mix costs whatever else shares the machine, and so how many
   requests a second idle cores would serve — and the targets; exit status 1 when a target is missed, 2 when
   not PostgreSQL.

``--build-only`` builds (or checks) the data and stops. Output files (locust CSVs, samples, gunicorn log)
go to ``var/load/``. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import base64
import os
import secrets

# Before Django starts (harness): the server and this process must sign sessions with the same key.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# Likewise the field-encryption keys: both read the encrypted subject fields (compliance.core.crypto). With
# --keepdb, export FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY yourself, the same every run, or the kept rows won't read.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", f"bench:{base64.b64encode(secrets.token_bytes(32)).decode()}")
os.environ.setdefault("BLIND_INDEX_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import detainer_bench  # noqa: E402
import harness  # noqa: E402  (first of the project imports: sets up Django)
import incident_bench  # noqa: E402
import roster_bench  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

DATABASE_NAME = "load_bench"
P95_TARGET_MS = 300.0
THROUGHPUT_RATIO_TARGET = 0.3
#: A finished build is marked by this user, created last.
BUILT_MARK = "load_built_mark"
SAMPLE_IDS = 300
OUT = harness.ROOT / "var" / "load"


# --- data ---------------------------------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> None:
    """Build the whole data set (module docstring, step 1); prints each step's size and seconds."""
    from compliance.core.models import User
    from compliance.core.roles import Role, role_grant
    from incidents.detainers.models import Detainer
    from incidents.incident_log.models import Incident
    from training.requirements.services import requirement_defaults_apply

    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()
    started = time.perf_counter()
    agencies, _auditor = detainer_bench.build_fixture()
    for n, slot in enumerate(agencies):
        slot["staff"] = []
        for k in range(4):
            user = User.objects.create_user(
                f"bench_staff_{n}_{k}", f"staff{n}{k}@bench.example", "bench-password-not-secret",
                home_agency=slot["agency"], first_name=incident_bench.FIRST_NAMES[k], last_name=f"Investigator{k}",
            )  # fmt: skip
            role_grant(user=user, agency=slot["agency"], role=Role.STAFF)
            slot["staff"].append(user)

    largest = agencies[0]
    requirements = requirement_defaults_apply(actor=largest["supervisor"], agreement=largest["agreement"])
    courses = {requirement.kind: [] for requirement in requirements}
    for requirement in requirements:
        courses[requirement.kind].append(requirement.course)
    roster_bench.add_officers(
        agency=largest["agency"],
        agreement=largest["agreement"],
        supervisors=[largest["supervisor"]],
        courses=courses,
        start=0,
        stop=args.officers,
        rng=rng,
    )
    print(f"  {args.officers:,} roster officers in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    detainer_bench.add_detainers(agencies=agencies, count=10_000, open_count=3_000, now=now, rng=rng)
    detainer_bench.grow_detainers(args.detainers, vacuum=True)
    print(f"  {Detainer.objects.count():,} detainers in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    incident_bench.add_incidents(agencies=agencies, count=args.incidents, start=0, now=now, rng=rng)
    print(f"  {Incident.objects.count():,} cases in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)
    User.objects.create_user(BUILT_MARK, "built@bench.example", None)


def load_users(count: int) -> list[dict]:
    """``count`` signed-in people (module docstring, step 2): ``{"session": key, "agency": index or None}``.

    Users are created on the first run and reused; each run writes fresh sessions (this run's
    ``SECRET_KEY`` signs them).
    """
    from compliance.core.models import Agency, User
    from compliance.core.roles import Role, role_grant

    agencies = list(Agency.objects.filter(name__startswith="Bench County").order_by("name"))
    auditors = max(1, count // 10)
    people = []
    for n in range(count):
        if n < auditors:
            username, home, role = f"load_auditor_{n:03d}", None, Role.AUDITOR
        else:
            roll = (n - auditors) / max(1, count - auditors)
            shares = detainer_bench.AGENCY_SHARES
            home = 0 if roll < shares[0] else (1 if roll < shares[0] + shares[1] else 2)
            username, role = f"load_supervisor_{n:03d}", Role.SUPERVISOR
        user = User.objects.filter(username=username).first()
        if user is not None:  # made by an earlier run (perhaps with another --users): keep its agency
            home = next((index for index, agency in enumerate(agencies) if agency.pk == user.home_agency_id), None)
        else:
            user = User.objects.create_user(
                username, f"{username}@bench.example", None, home_agency=None if home is None else agencies[home]
            )
            for index, agency in enumerate(agencies):
                if home is None or index == home:
                    role_grant(user=user, agency=agency, role=role)
        client = harness.signed_in_client(user)
        people.append({"username": username, "session": client.session.session_key, "agency": home})
    return people


def sample_ids() -> list[dict[str, list[str]]]:
    """Per agency (in name order): up to ``SAMPLE_IDS`` random public ids of detainers, officers and cases."""
    from compliance.core.models import Agency

    tables = {"detainers": "incidents_detainer", "officers": "training_officer", "incidents": "incidents_incident"}
    result = []
    with connection.cursor() as cursor:
        for agency in Agency.objects.filter(name__startswith="Bench County").order_by("name"):
            ids = {}
            for key, table in tables.items():
                # TABLESAMPLE: a random few pages, not a sort of a million rows.
                cursor.execute(
                    f"SELECT public_id FROM {table} TABLESAMPLE SYSTEM (5) REPEATABLE (287) "  # noqa: S608 (fixed names)
                    f"WHERE agency_id = %s LIMIT %s",
                    [agency.pk, SAMPLE_IDS],
                )
                ids[key] = [str(row[0]) for row in cursor.fetchall()]
                if len(ids[key]) < 10:  # small table: every row is a candidate
                    cursor.execute(
                        f"SELECT public_id FROM {table} WHERE agency_id = %s ORDER BY random() LIMIT %s",  # noqa: S608
                        [agency.pk, SAMPLE_IDS],
                    )
                    ids[key] = [str(row[0]) for row in cursor.fetchall()]
            result.append(ids)
    return result


# --- server -------------------------------------------------------------------------------------------------------


def server_environment(port: int) -> dict[str, str]:
    """The environment of gunicorn and collectstatic: production settings on the bench database (docstring, 3)."""
    database = connection.settings_dict
    environment = {key: value for key, value in os.environ.items() if key not in ("TESTING", "DEBUG")}
    environment.update(
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        DEBUG="0",
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1",
        PROXY_COUNT="1",
        SITE_URL=f"https://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    if not environment.get("REDIS_URL"):
        print("  REDIS_URL is not set: the server's cache is per process (production uses Redis)", flush=True)
    return environment


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout:.0f} s")


def start_server(args: argparse.Namespace) -> subprocess.Popen:
    """collectstatic, then gunicorn on 127.0.0.1:``args.port``; the running process (its log in ``var/load``)."""
    environment = server_environment(args.port)
    python = str(Path(sys.executable))
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():  # minutes under load: only when never run
        subprocess.run(  # noqa: S603 (our own manage.py)
            [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=harness.ROOT,
            env=environment,
            check=True,
        )
    log = open(OUT / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "compliance.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--no-control-socket",  # another gunicorn on this machine may hold the shared default path
        ],
        cwd=harness.ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for_port(args.port)
    return server


def preflight(args: argparse.Namespace, targets: dict) -> None:
    """GET each page once as the first supervisor of the largest agency and as an auditor; each must be 200."""
    import load_paths as locustfile  # the paths the load test asks for

    supervisor = next(person for person in targets["users"] if person["agency"] == 0)
    auditor = next(person for person in targets["users"] if person["agency"] is None)
    opener = urllib.request.build_opener(NoRedirect)
    for person in (supervisor, auditor):
        for name, path in locustfile.preflight_paths(targets, person):
            request = urllib.request.Request(  # noqa: S310 (loopback http)
                f"http://127.0.0.1:{args.port}{path}", headers=locustfile.headers_for(person["session"])
            )
            try:
                status = opener.open(request, timeout=180).status  # a worker's first request is slow
            except urllib.error.HTTPError as error:
                status = error.code
            if status != 200:
                raise RuntimeError(f"preflight: {name} ({path}) answered {status} for {person['username']}")
    print("  preflight: every page answered 200 for a supervisor and an auditor", flush=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to check, not to follow (a 302 to the sign-in page is an error)."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


# --- locust -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """One locust run: samples (ms) and failures per request name, its duration in seconds, and the CPU seconds
    the server ("gunicorn"), the database ("postgresql") and the client ("locust") used during it."""

    label: str
    samples: dict[str, list[float]]
    failures: dict[str, int]
    errors: list[str]
    seconds: float
    cpu: dict[str, float]

    @property
    def total(self) -> int:
        """Requests answered (failures included)."""
        return sum(len(values) for values in self.samples.values())

    @property
    def throughput(self) -> float:
        """Requests per second over the run."""
        return self.total / self.seconds


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid``, its live descendants and its children that have exited."""
    import psutil

    root = psutil.Process(pid)
    times = root.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in root.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:  # exited between the listing and the reading
            continue
        total += times.user + times.system
    return total


def postmaster_pid() -> int:
    """The PostgreSQL server's process id (first line of ``postmaster.pid`` in its data directory)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        directory = Path(cursor.fetchone()[0])
    return int((directory / "postmaster.pid").read_text().split()[0])


def run_locust(
    label: str,
    *,
    args: argparse.Namespace,
    user_class: str,
    users: int,
    seconds: int,
    think: bool,
    targets_path: Path,
    meters: dict[str, int],
) -> RunResult:
    """Run ``bench/locustfile.py`` headless against the server; its samples (``locustfile`` writes them) and the
    CPU seconds used meanwhile by each process tree of ``meters`` (name → root pid) and by locust."""
    stem = OUT / label
    environment = {
        **os.environ,
        "LOAD_TARGETS": str(targets_path),
        "LOAD_THINK": "1" if think else "0",
        "LOAD_SAMPLES": f"{stem}.samples.json",
    }
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(harness.ROOT / "bench" / "locustfile.py"),
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "-u", str(users), "-r", str(max(1, min(users, 25))),
        "-t", f"{seconds}s", "--stop-timeout", "10",
        "-H", f"http://127.0.0.1:{args.port}",
        "--csv", str(stem), "--exit-code-on-error", "0", user_class,
    ]  # fmt: skip
    print(f"\n{label}: {users} users, {'1–3 s think time' if think else 'no think time'}, {seconds} s, {user_class}")
    before = {name: tree_cpu_seconds(pid) for name, pid in meters.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"{stem}.locust.log", "w") as log:
        subprocess.run(command, env=environment, stdout=log, stderr=subprocess.STDOUT, check=True)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {name: tree_cpu_seconds(pid) - before[name] for name, pid in meters.items()}
    cpu["locust"] = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    data = json.loads(Path(f"{stem}.samples.json").read_text())
    return RunResult(label, data["samples"], data["failures"], data["errors"], data["seconds"], cpu)


def print_run(run: RunResult, *, target_ms: float | None) -> bool:
    """Print one run's table (requests, errors, p50/p95/max in ms, req/s per page); True when over budget."""
    failed = False
    print(f"  {'page':34} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7}")
    rows = sorted(run.samples.items())
    everything = [value for _, values in rows for value in values]
    for name, values in [*rows, ("all", everything)]:
        errors = run.failures.get(name, 0) if name != "all" else sum(run.failures.values())
        p50 = harness.percentile(values, 50) if len(values) > 1 else float("nan")
        p95 = harness.percentile(values, 95) if len(values) > 1 else float("nan")
        over = target_ms is not None and name != "all" and not p95 < target_ms
        flag = "   <-- OVER" if over else ""
        failed |= over
        print(
            f"  {name:34} {len(values):8d} {errors:6d} {p50:8.1f} {p95:8.1f} {max(values, default=0):8.1f} "
            f"{len(values) / run.seconds:7.1f}{flag}"
        )
    for error in run.errors[:10]:
        print(f"    error: {error}")
    per_request = {name: 1000 * value / max(1, run.total) for name, value in run.cpu.items()}
    server = per_request["gunicorn"] + per_request["postgresql"]
    print(
        f"  CPU per request: gunicorn {per_request['gunicorn']:.1f} ms + PostgreSQL {per_request['postgresql']:.1f} ms"
        f" (locust {per_request['locust']:.1f} ms); {os.cpu_count()} idle cores would serve about "
        f"{1000 * (os.cpu_count() or 1) / server:.0f} req/s of this mix"
    )
    return failed


# --- main ---------------------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sizes, load shape, server."""
    parser.add_argument("--detainers", type=int, default=1_000_000)
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=100, help="users of the think-time run")
    parser.add_argument("--duration", type=int, default=180, help="seconds of the think-time run")
    parser.add_argument("--saturate-users", type=int, default=20, help="users of the two no-think-time runs")
    parser.add_argument("--saturate-duration", type=int, default=60, help="seconds of each no-think-time run")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default: gunicorn's advice, 2 × cores + 1: a sync worker waits on PostgreSQL)",
    )
    parser.add_argument("--port", type=int, default=18008)
    parser.add_argument("--keepdb", action="store_true", help="keep the database; reuse a finished build")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the data and stop")


def built() -> bool:
    """Whether the database holds a finished build."""
    from compliance.core.models import User

    return User.objects.filter(username=BUILT_MARK).exists()


def partly_built() -> bool:
    """Whether the database holds rows of a build that did not finish (no ``BUILT_MARK``)."""
    from compliance.core.models import Agency

    return Agency.objects.exists()


def main() -> int:
    """Build, serve, load, report (module docstring); the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL database (the budgets are for PostgreSQL).", file=sys.stderr)
        return 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} · Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DATABASE_NAME
    started = time.perf_counter()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb, serialized_aliases=set())
    print(f"database {connection.settings_dict['NAME']} ready in {time.perf_counter() - started:.1f} s")
    try:
        if built():
            print("reusing the data built earlier (--keepdb)")
        else:
            if args.keepdb and partly_built():  # an earlier build was interrupted: start again from empty
                print("dropping an unfinished build")
                teardown_databases(old_config, verbosity=0)
                old_config = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=set())
            started = time.perf_counter()
            print("building the data:", flush=True)
            with harness.history_skipped(reason="benchmark data"):  # invented rows: no history (bulk_history)
                build(args)
            print(f"built in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM incidents_detainer), (SELECT count(*) FROM training_officer), "
                "(SELECT count(*) FROM incidents_incident), (SELECT count(*) FROM training_certification)"
            )
            detainers, officers, incidents, certifications = cursor.fetchone()
        print(
            f"data: {detainers:,} detainers, {officers:,} officers, {certifications:,} certifications, "
            f"{incidents:,} cases"
        )
        if args.build_only:
            return 0
        return measure(args)
    finally:
        connection.close()
        if not args.keepdb:
            teardown_databases(old_config, verbosity=0)


def measure(args: argparse.Namespace) -> int:
    """Sessions, server, the three locust runs, the report (docstring steps 2–5); the exit status."""
    from training.roster.facts import training_facts_refresh_all

    started = time.perf_counter()
    # Every agency's stored training facts, as the deploy step and the nightly refresh leave them: the generators
    # refresh only the largest agency's, and a page of an agency without them takes the slow path (the smaller
    # agencies' dashboards and rosters cost 4–5 × more: a fifth of the mix's CPU in the runs before this).
    refreshed = training_facts_refresh_all()
    print(f"stored training facts of {refreshed:,} officers in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    targets = {"users": load_users(args.users), "ids": sample_ids()}
    targets_path = OUT / "targets.json"
    targets_path.write_text(json.dumps(targets))
    print(f"signed in {len(targets['users'])} users in {time.perf_counter() - started:.1f} s", flush=True)
    database_pid = postmaster_pid()
    connection.close()  # the bench holds no connection while the server is measured

    server = start_server(args)
    try:
        preflight(args, targets)
        meters = {"gunicorn": server.pid, "postgresql": database_pid}
        common = {"args": args, "targets_path": targets_path, "meters": meters}
        think = run_locust(
            "think", user_class="MixedUser", users=args.users, seconds=args.duration, think=True, **common
        )
        saturate = {"users": args.saturate_users, "seconds": args.saturate_duration, "think": False, **common}
        busy = run_locust("saturate-mixed", user_class="MixedUser", **saturate)
        trivial = run_locust("saturate-trivial", user_class="TrivialUser", **saturate)
        signed_out = run_locust("saturate-signed-out", user_class="SignedOutUser", **saturate)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\nload average after the runs: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print(f"\n(a) {think.label}: {args.users} users, 1–3 s think time, {think.seconds:.0f} s")
    print(f"  offered: {args.users} users / 2 s mean think time ≈ {args.users / 2:.0f} req/s when answered at once")
    failed = print_run(think, target_ms=P95_TARGET_MS)
    p95 = harness.percentile([value for values in think.samples.values() for value in values], 95)
    errors = sum(think.failures.values())
    failed |= harness.report_target(f"every page p95 < {P95_TARGET_MS:.0f} ms (all pages: {p95:.1f} ms)", not failed)
    failed |= harness.report_target(f"0 errors ({errors})", errors == 0)
    for letter, run in zip("bcd", (busy, trivial, signed_out), strict=True):
        print(f"\n({letter}) {run.label}: {args.saturate_users} users, no think time")
        print_run(run, target_ms=None)
        failed |= harness.report_target(f"0 errors ({sum(run.failures.values())})", not run.failures)
    ratio = busy.throughput / trivial.throughput
    print(
        f"\nthroughput: mixed {busy.throughput:.1f} req/s, trivial page (signed in) {trivial.throughput:.1f} req/s: "
        f"ratio {ratio:.2f}; sign-in page (signed out) {signed_out.throughput:.1f} req/s: "
        f"ratio {busy.throughput / signed_out.throughput:.2f}"
    )
    failed |= harness.report_target(f"ratio ≥ {THROUGHPUT_RATIO_TARGET}", ratio >= THROUGHPUT_RATIO_TARGET)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
