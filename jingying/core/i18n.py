"""Small helpers for text that is put together at run time (docs/decisions/0002)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext


def join_list(items: Iterable[Any]) -> str:
    """Items joined with the active language's list separator: 、 in Chinese, ", " in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)
