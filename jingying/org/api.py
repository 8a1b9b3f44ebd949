"""JSON API for units and people (placeholder until the API slice lands)."""

from ninja import Router

router = Router(tags=["org"])
