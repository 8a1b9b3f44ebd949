"""/api/v1/: one NinjaAPI with a router per app; OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from jingying.api.auth import AUTH
from jingying.org.api import router as org_router

api = NinjaAPI(title="Jingying API", version="1", auth=AUTH, urls_namespace="api", docs_url="/docs")
api.add_router("/org", org_router)

urlpatterns = [api.urls]
