"""The care app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {}
