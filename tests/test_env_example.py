"""`.env.example` documents every JINGYING_* variable the code reads (style rule 12)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# env_str("JINGYING_X"…), env_bool(…), env_int(…), os.environ.get("JINGYING_X"…), os.environ["JINGYING_X"]
READ = re.compile(r"""(?:env_(?:str|bool|int)\(|environ(?:\.get\(|\.setdefault\(|\[))\s*["'](JINGYING_[A-Z0-9_]+)["']""")


def read_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "jingying").rglob("*.py"):
        if "tests" in path.parts:
            continue
        names |= set(READ.findall(path.read_text(encoding="utf-8")))
    return names


def documented_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?(JINGYING_[A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_variable_read_is_in_env_example() -> None:
    read = read_variables()
    assert {"JINGYING_DATA_DIR", "JINGYING_DATABASE_URL", "JINGYING_SECRET_KEY"} <= read  # the scan works
    missing = read - documented_variables()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_names_nothing_that_is_not_read() -> None:
    # JINGYING_TEST_POSTGRES_URL is read by ./run, not by the package.
    stale = documented_variables() - read_variables() - {"JINGYING_TEST_POSTGRES_URL"}
    assert not stale, f"no longer read anywhere, remove from .env.example: {sorted(stale)}"
