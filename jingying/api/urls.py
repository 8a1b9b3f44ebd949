"""/api/v1/: one NinjaAPI with a router per app; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Authentication (jingying.api.auth): `Authorization: Bearer <token>` (tokens from
`jingying token create USERNAME`) or the browser session with its CSRF token. The site-wide
login middleware leaves /api/ alone so an unauthenticated call gets a 401 in JSON, not a
redirect to the login page.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from jingying.api import errors
from jingying.api.auth import AUTH
from jingying.care.api import router as care_router
from jingying.health.api import router as health_router
from jingying.org.api import router as org_router
from jingying.surveys.api import router as surveys_router
from jingying.surveys.public_api import router as public_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese as UTF-8 rather than \\u escapes: readable with curl, and half the bytes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="警营 Jingying API",
    version="1",
    description="单位与人员；范围与界面一致（越权对象一律 404）。列表返回 {items, count}，用 limit/offset 分页。",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    renderer=Utf8JSONRenderer(),
)
errors.install(api)
api.add_router("/org", org_router)
api.add_router("/surveys", surveys_router)
api.add_router("/public", public_router)
api.add_router("/care", care_router)
api.add_router("/health", health_router)

urlpatterns = [api.urls]
