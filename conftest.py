"""Test-wide settings (style rule 10): fast hasher; see jingying/core/pytest_env.py for the
environment the settings are read with."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_tests(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"
