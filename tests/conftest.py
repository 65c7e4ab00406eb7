import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Hypothesis profiles (tests/compliance/test_hostile_forms.py drives every form with them).
# "ci", the default: a bounded number of examples per form, the same examples on every run (derandomized, no
# example database written), so the suite stays fast and a failure reproduces. "fuzz": many random examples,
# for a long run by hand: HYPOTHESIS_PROFILE=fuzz .venv/bin/pytest tests/compliance/test_hostile_forms.py
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "ci", max_examples=20, deadline=None, derandomize=True, database=None, suppress_health_check=_SLOW_IS_FINE
)
hypothesis_settings.register_profile("fuzz", max_examples=500, deadline=None, suppress_health_check=_SLOW_IS_FINE)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Reports and uploads written by a test go to its own temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no used TOTP codes or rate-limit counts left by another test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a request in Spanish (the public pages) leaves Spanish active in the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
