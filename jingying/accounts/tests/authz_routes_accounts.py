"""Authorisation rules for the accounts routes added after the core matrix (decision 0013)."""

from __future__ import annotations

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {
    # Everyone signed in manages their own API tokens.
    "accounts:token_list": Route(perm=None),
    # Someone else's (or a missing) token is 404 for everyone.
    "accounts:token_revoke": Route(perm=None, method="post", kwargs=lambda w, i: {"pk": 999999}, ok=(404,)),
}
