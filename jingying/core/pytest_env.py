"""Loaded with `-p jingying.core.pytest_env` before pytest-django reads the settings, so the
test run gets its own data directory and immediate tasks (style rule 10)."""

import os
import tempfile

os.environ.setdefault("JINGYING_DATA_DIR", tempfile.mkdtemp(prefix="jingying-test-"))
os.environ["JINGYING_TASKS_IMMEDIATE"] = "1"
os.environ["JINGYING_TESTING"] = "1"
