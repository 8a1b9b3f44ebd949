"""Errors raised by the instrument library. Messages are Chinese first (the msgid, translated
through gettext when Django is configured) with the English in parentheses, and always name the
item and the allowed values: a bad answer vector is rejected, never clamped (instruments.md §0, §15).
"""

from __future__ import annotations


def _(message: str) -> str:
    """gettext when Django settings are configured; the library itself does not need Django."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:  # pragma: no cover - Django is always installed in this project
        pass
    return message


class InstrumentError(ValueError):
    """Base class: anything the caller must fix before a score can be computed."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} ({en})")


class UnknownInstrumentError(InstrumentError):
    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(
            _("没有代码为“%(code)s”的量表；可用：%(known)s") % {"code": code, "known": "、".join(known)},
            f"unknown instrument {code!r}; known: {', '.join(known)}",
        )


class InvalidAnswersError(InstrumentError):
    """The answer vector cannot be scored as given (wrong length, unknown item, value out of set)."""

    def __init__(self, zh: str, en: str, *, item: str | None = None, allowed: tuple[int, ...] = ()) -> None:
        self.item = item
        self.allowed = allowed
        super().__init__(zh, en)


class InvalidParameterError(InstrumentError):
    """A scoring parameter (--cutoff, --sex) the instrument does not accept."""
