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
