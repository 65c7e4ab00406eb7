"""Fixtures the compliance tests share."""

import pytest

from tests.compliance.workers import eager_off, worker_start, worker_stop


@pytest.fixture
def solo_worker(tmp_path):
    """A real worker (``--pool=solo``) on the test database for the test's duration; its log's tail printed after."""
    log_path = tmp_path / "worker.log"
    with eager_off(), open(log_path, "w") as log:
        process = worker_start(log, "--pool=solo", "--loglevel=INFO")
        try:
            yield process
        finally:
            worker_stop(process)
            print(log_path.read_text()[-3000:])
