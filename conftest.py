"""Test-wide settings (style rule 10): fast hasher, immediate tasks, isolated data dir."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("JINGYING_DATA_DIR", tempfile.mkdtemp(prefix="jingying-test-"))
os.environ["JINGYING_TASKS_IMMEDIATE"] = "1"
os.environ["JINGYING_TESTING"] = "1"

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_tests(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"
