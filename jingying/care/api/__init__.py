"""JSON API of the care app: one router per part, mounted on `router` at /api/v1/care/."""

from ninja import Router

router = Router(tags=["care"])

from jingying.care.api import hospitals as _hospitals  # noqa: E402

router.add_router("/hospitals", _hospitals.router)
