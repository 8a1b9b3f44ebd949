"""The one place configuration is read from the environment (style rule 12).

Every setting Jingying reads is named here with its default, so `.env.example` and this module
can be compared line by line.
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in _TRUE


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def data_dir() -> Path:
    """Where the SQLite database, uploads and generated secrets live."""
    path = Path(env_str("JINGYING_DATA_DIR", str(Path.cwd() / "var"))).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """The secret key from the environment, else one generated once and kept in the data dir.

    Generating it (rather than shipping a default) means no two installations share a key and
    the key never sits in git.
    """
    key = env_str("JINGYING_SECRET_KEY")
    if key:
        return key
    key_file = directory / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_url(directory: Path) -> str:
    return env_str("JINGYING_DATABASE_URL") or f"sqlite:///{directory / 'jingying.sqlite3'}"


def notes_key(directory: Path) -> bytes:
    """The 32-byte key that encrypts counselling notes (health-psych decision record): from
    JINGYING_NOTES_KEY (urlsafe base64), else generated once into the data dir, like the secret
    key. Losing it makes the notes unreadable: back it up apart from the database."""
    import base64
    import secrets

    raw = env_str("JINGYING_NOTES_KEY")
    if not raw:
        key_file = directory / "notes_key"
        if not key_file.exists():
            key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            key_file.chmod(0o600)
        raw = key_file.read_text().strip()
    key = base64.urlsafe_b64decode(raw.encode())
    if len(key) != 32:
        raise ValueError("JINGYING_NOTES_KEY must be 32 bytes, urlsafe base64")
    return key
