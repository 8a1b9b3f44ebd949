"""JSON API of the care app: one router per part, mounted on `router` at /api/v1/care/."""

from ninja import Router

router = Router(tags=["care"])

from jingying.care.api.concerns import router as _concerns_router  # noqa: E402

router.add_router("/concerns", _concerns_router)
