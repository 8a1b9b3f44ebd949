"""Sections of the officer's own health page (/health/me/), in the spirit of org/panels.py.

The checkup part shows checkups, follow-ups, referrals and the access log itself; other parts of
the health app (the psych part: screening results, counselling bookings) append a `MeSection`
below, each a template rendered with `request`, `user` and what its context function returns.
The function is named by dotted path so this module imports nobody's code:

    MeSection("health/partials/me_screenings.html", context="jingying.health.selectors.screening:me_context")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class MeSection:
    template: str
    # "module.path:function"; called as function(actor=...) -> dict.
    context: str | None = None
    # Shown only to holders of this (self-service) permission; None: everyone with the page.
    perm: str | None = None


# --- psych part (health-psych): screening results and counselling bookings go here ---
ME_SECTIONS: list[MeSection] = [
    MeSection("health/partials/me_psych_section.html", context="jingying.health.selectors.psych:me_psych_context"),
]


def health_me_sections(*, actor: Any) -> list[dict[str, Any]]:
    from jingying.core.scoping import has_perm

    out = []
    for section in ME_SECTIONS:
        if section.perm and not has_perm(actor, section.perm):
            continue
        extra: dict[str, Any] = {}
        if section.context:
            module, _sep, name = section.context.partition(":")
            extra = import_string(f"{module}.{name}")(actor=actor)
        out.append({"template": section.template, "context": extra})
    return out
