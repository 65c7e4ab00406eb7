"""Locust users of the load test; run by ``bench/load_bench.py``, which starts the server and reads the results.

Environment: ``LOAD_TARGETS`` (the JSON of signed-in sessions and sampled ids, ``bench/load_paths.py``),
``LOAD_THINK`` ("1": 1–3 s between a user's requests; else none), ``LOAD_SAMPLES`` (where every
response time, in ms, is written per request name when the run stops, with the failures and the run's
length in seconds). User classes: ``MixedUser`` (the mixed workload), ``TrivialUser`` (one's notifications,
signed in: the floor) and ``SignedOutUser`` (the sign-in page, signed out). A response other than 200 is a
failure (redirects are not followed). Not a test.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_paths  # noqa: E402
from locust import FastHttpUser, between, constant, events, task  # noqa: E402

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text()) if os.environ.get("LOAD_TARGETS") else {}
THINK = os.environ.get("LOAD_THINK") == "1"
_people = itertools.count()
_samples: dict[str, list[float]] = defaultdict(list)
_failures: Counter[str] = Counter()
_errors: list[str] = []
_started = [0.0]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs) -> None:
    """Keep every response time (ms) by request name, and count failures."""
    _samples[name].append(response_time)
    if exception is not None:
        _failures[name] += 1
        if len(_errors) < 50:
            _errors.append(f"{name}: {exception}")


@events.test_start.add_listener
def _start(**kwargs) -> None:
    _started[0] = time.monotonic()


@events.test_stop.add_listener
def _stop(**kwargs) -> None:
    """Write the samples for the bench (``LOAD_SAMPLES``)."""
    seconds = time.monotonic() - _started[0]
    payload = {"samples": _samples, "failures": _failures, "errors": _errors, "seconds": seconds}
    Path(os.environ["LOAD_SAMPLES"]).write_text(json.dumps(payload))


class _Person(FastHttpUser):
    abstract = True
    wait_time = between(1, 3) if THINK else constant(0)

    def fetch(self, name: str, path: str, headers: dict[str, str]) -> str | None:
        """GET ``path`` (reported as ``name``); its text when 200, else None and a failure."""
        with self.client.get(path, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            return response.text


class MixedUser(_Person):
    """A signed-in supervisor or auditor moving between the pages of the mixed workload."""

    def on_start(self) -> None:
        self.person = TARGETS["users"][next(_people) % len(TARGETS["users"])]
        self.headers = load_paths.headers_for(self.person["session"])
        self.rng = random.Random()  # noqa: S311 (picking pages, not security)
        self.older: str | None = None

    def _get(self, name: str, path: str) -> str | None:
        return self.fetch(name, path, self.headers)

    @task(3)
    def dashboard(self) -> None:
        self._get("dashboard", "/")

    @task(3)
    def roster(self) -> None:
        roll = self.rng.random()
        if roll < 0.5:
            self._get("roster", "/roster/")
        elif roll < 0.75:
            self._get("roster ?page=N", f"/roster/?page={self.rng.randint(2, 200)}")
        else:
            status = self.rng.choice(["expiring", "expired", "current", "missing"])
            self._get("roster ?status=", f"/roster/?status={status}")

    @task(3)
    def detainer_list(self) -> None:
        """The log's first page, or (60 %) the "Older" page after the last one this user saw: keyset pages."""
        if self.older and self.rng.random() < 0.6:
            page = self._get("detainer list: older page", self.older)
        else:
            page = self._get("detainer list", "/detainers/")
        self.older = load_paths.older_link(page) if page else None

    @task(2)
    def custody_board(self) -> None:
        if self.rng.random() < 0.6:
            self._get("custody board", "/custody/")
        else:
            self._get("custody board ?page=N", f"/custody/?page={self.rng.randint(2, 12)}")

    def _detail(self, kind: str, name: str) -> None:
        ids = load_paths.agency_ids(TARGETS, self.person, self.rng)[kind]
        self._get(name, load_paths.detail_path(kind, self.rng.choice(ids)))

    @task(2)
    def detainer_detail(self) -> None:
        self._detail("detainers", "detainer detail")

    @task(1)
    def officer_detail(self) -> None:
        self._detail("officers", "officer detail")

    @task(2)
    def incident_detail(self) -> None:
        self._detail("incidents", "incident detail")


class TrivialUser(_Person):
    """The trivial page, signed in (``load_paths.TRIVIAL_PATH``): the floor the mixed workload's throughput is
    compared with."""

    def on_start(self) -> None:
        person = TARGETS["users"][next(_people) % len(TARGETS["users"])]
        self.headers = load_paths.headers_for(person["session"])

    @task
    def trivial_page(self) -> None:
        self.fetch("trivial page (signed in)", load_paths.TRIVIAL_PATH, self.headers)


class SignedOutUser(_Person):
    """The sign-in page, signed out (``load_paths.SIGNED_OUT_PATH``): printed for comparison."""

    def on_start(self) -> None:
        self.headers = load_paths.headers_for(None)

    @task
    def sign_in_page(self) -> None:
        self.fetch("sign-in page (signed out)", load_paths.SIGNED_OUT_PATH, self.headers)
