"""Settings refuse to start in production mode without a SECRET_KEY (one line, non-zero exit)."""

import os
import subprocess
import sys

from django.conf import settings


def run_python(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "TESTING", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_changes)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'compliance.settings'; django.setup(); print('ok')"


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_python(SETUP, DEBUG="0")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["SECRET_KEY is not set: set SECRET_KEY in the environment (or DEBUG=1 for local development)."]


def test_manage_py_check_refuses_too():
    result = run_python(
        "import runpy, sys; sys.argv = ['manage.py', 'check']; runpy.run_path('manage.py', run_name='__main__')",
        DEBUG="0",
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "SECRET_KEY is not set: set SECRET_KEY in the environment (or DEBUG=1 for local development)."
    ]


def test_debug_off_with_a_secret_key_starts():
    result = run_python(SETUP, DEBUG="0", SECRET_KEY="an-invented-production-like-secret-key-0123456789")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
