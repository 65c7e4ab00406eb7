"""Settings refuse to start in production mode without a SECRET_KEY (one line, non-zero exit); e-mail defaults."""

import base64
import os
import subprocess
import sys

from django.conf import settings

#: Invented field-encryption keys for a production-mode process started by a test (never used anywhere else).
PRODUCTION_FIELD_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "t1:" + base64.b64encode(bytes(range(32))).decode(),
    "BLIND_INDEX_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
}


def run_python(code: str, **env_changes) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with ``env_changes``; production mode gets ``PRODUCTION_FIELD_KEYS``
    unless the caller sets them (``FIELD_ENCRYPTION_KEYS=""`` to leave them out)."""
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' conftest in this process, never in a deployment.
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "TESTING",
            "DJANGO_SETTINGS_MODULE",
            "EMAIL_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "FIELD_ENCRYPTION_KEYS",
            "BLIND_INDEX_KEY",
        }
    }
    env.update(PRODUCTION_FIELD_KEYS)
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


def test_E4_debug_off_without_field_encryption_keys_refuses_to_start():
    result = run_python(SETUP, DEBUG="0", SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS="", BLIND_INDEX_KEY="")
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY are not set: set them (or FIELD_ENCRYPTION_KEYS_FILE and "
        "BLIND_INDEX_KEY_FILE); make new ones with: python manage.py field_keys_new."
    ]


def test_E5_field_keys_are_read_from_secrets_files(tmp_path):
    keys_file = tmp_path / "field_encryption_keys"
    keys_file.write_text(PRODUCTION_FIELD_KEYS["FIELD_ENCRYPTION_KEYS"] + "\n")
    index_file = tmp_path / "blind_index_key"
    index_file.write_text(PRODUCTION_FIELD_KEYS["BLIND_INDEX_KEY"] + "\n")
    code = SETUP + "; from compliance.core.crypto.keys import field_keys; print([k.id for k in field_keys()])"
    result = run_python(
        code,
        DEBUG="0",
        SECRET_KEY=SECRET,
        FIELD_ENCRYPTION_KEYS="",
        BLIND_INDEX_KEY="",
        FIELD_ENCRYPTION_KEYS_FILE=str(keys_file),
        BLIND_INDEX_KEY_FILE=str(index_file),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "['t1']"]


def test_debug_off_with_a_secret_key_starts():
    result = run_python(SETUP, DEBUG="0", SECRET_KEY="an-invented-production-like-secret-key-0123456789-abcdef")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


MAIL = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'compliance.settings'; django.setup(); "
    "from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
)
SECRET = "an-invented-production-like-secret-key-0123456789-abcdef"


def test_in_development_mail_goes_to_files_under_var_with_a_line_each():
    result = run_python(MAIL, DEBUG="1")
    assert result.returncode == 0, result.stderr
    backend, folder, *_ = result.stdout.split()
    assert (backend, folder) == ("compliance.mail_files.EmailBackend", str(settings.BASE_DIR / "var" / "mail"))


def test_without_debug_the_mail_defaults_are_unchanged():
    result = run_python(MAIL, DEBUG="0", SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"
    smtp = run_python(MAIL, DEBUG="0", SECRET_KEY=SECRET, EMAIL_URL="smtp+tls://user:pass@smtp.example.gov:587")
    assert smtp.returncode == 0, smtp.stderr
    backend, _folder, host, port, tls = smtp.stdout.split()
    assert (backend, host, port, tls) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.gov",
        "587",
        "True",
    )
