"""Helpers for the care-support API tests: JSON calls through a signed-in test client and
the pinned query count of a list endpoint (the same for 10 and 100 rows)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingying.core.testing import login_client

BASE = "/api/v1/care"


class Api:
    def __init__(self, user: Any) -> None:
        self.client = login_client(user)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(BASE + path, json.dumps(data or {}), content_type="application/json")

    def patch(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.patch(BASE + path, json.dumps(data), content_type="application/json")


def list_queries(api: Api, path: str, grow: Callable[[int], None]) -> int:
    """The query count of one page of `path`; asserts it does not grow from 10 to 100 rows."""
    api.get(path, limit=200)
    counts = []
    for n in (10, 90):
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(path, limit=200)
        assert response.status_code == 200, response.content
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], f"query count grows with rows: {counts}"
    return counts[0]
