"""The current request's source address, for audit entries written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar

_source_ip: ContextVar[str | None] = ContextVar("jingying_source_ip", default=None)


def current_source_ip() -> str | None:
    return _source_ip.get()


def set_source_ip(value: str | None) -> object:
    return _source_ip.set(value)


def reset_source_ip(token: object) -> None:
    _source_ip.reset(token)  # type: ignore[arg-type]


# The credential a request authenticated with when it is not the browser session: "token:jy_AbCdE"
# (the API token's prefix). Audit entries written during that request carry it (decision 0013).
_credential: ContextVar[str] = ContextVar("jingying_credential", default="")


def current_credential() -> str:
    return _credential.get()


def set_credential(value: str) -> object:
    return _credential.set(value)


def reset_credential(token: object) -> None:
    _credential.reset(token)  # type: ignore[arg-type]
