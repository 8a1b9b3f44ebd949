"""Encryption at rest of counselling notes (docs/decisions/NNNN-health-psych-notes-encryption.md).

AES-256-GCM from the `cryptography` package with a key from `conf.notes_key` (JINGYING_NOTES_KEY
or a key file in the data dir). Each note is stored as "v1:" + urlsafe base64 of a fresh 12-byte
nonce and the ciphertext; the session id is bound in as associated data, so a ciphertext copied
onto another session's row does not decrypt.
"""

from __future__ import annotations

import base64
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1:"


class NotesUnreadableError(Exception):
    """The ciphertext does not decrypt with this key (wrong key, or tampered with)."""


@functools.cache
def _key() -> bytes:
    from jingying import conf

    return conf.notes_key(settings.DATA_DIR)


def _aad(session_id: int) -> bytes:
    return f"health.counsellingsession:{session_id}".encode()


def encrypt(text: str, *, session_id: int) -> str:
    if not text:
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, text.encode("utf-8"), _aad(session_id))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(stored: str, *, session_id: int) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise NotesUnreadableError("unknown format")
    blob = base64.urlsafe_b64decode(stored[len(PREFIX):].encode("ascii"))
    try:
        return AESGCM(_key()).decrypt(blob[:12], blob[12:], _aad(session_id)).decode("utf-8")
    except InvalidTag as exc:
        raise NotesUnreadableError("does not decrypt") from exc
