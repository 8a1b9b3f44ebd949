"""Panels on the person profile: the one place later modules (care, health, training…) add theirs.

A panel is a template rendered with `person`, `request`, `can` and whatever its optional
context function returns. The function is named by dotted path so org never imports the
domain apps (architecture §2: they depend on org, not the other way round). A panel shows
only when the viewer holds its permission (and its domain, for sensitive data).

To add one: append a `PersonPanel` below, in programme order, e.g.
    PersonPanel("care/partials/person_panel.html", perm="care.view_concern",
                context="jingying.care.selectors:person_panel_context")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from jingying.core.scoping import covers, has_perm


@dataclass(frozen=True)
class PersonPanel:
    template: str
    perm: str | None = None
    domain: str | None = None
    # "module.path:function"; called as function(actor=..., person=...) -> dict.
    context: str | None = None


PERSON_PANELS: list[PersonPanel] = [
    PersonPanel("org/partials/history_panel.html", perm="org.view_person",
                context="jingying.org.panels:history_context"),
    PersonPanel("org/partials/dependents_panel.html", perm="org.view_dependent",
                context="jingying.org.panels:dependents_context"),
    PersonPanel("surveys/partials/person_panel.html", perm="surveys.answer_campaign",
                context="jingying.surveys.selectors:person_panel_context"),
    PersonPanel("care/partials/person_concerns_panel.html", perm="care.view_concern",
                context="jingying.care.selectors.concerns:person_concerns_context"),
    PersonPanel("care/partials/person_care_panel.html", perm="care.view_carevisit",
                context="jingying.care.selectors.visits:person_care_context"),
    # --- care-fund: protective equipment held ---
    PersonPanel("care/partials/equipment_panel.html", perm="care.view_equipment",
                context="jingying.care.selectors.equipment:person_panel_context"),
]


def history_context(*, actor: Any, person: Any) -> dict[str, Any]:
    from jingying.org.selectors import person_history

    return {"history": list(person_history(actor=actor, person=person)[:100])}


def dependents_context(*, actor: Any, person: Any) -> dict[str, Any]:
    from jingying.org.selectors import dependent_list

    return {
        "dependents": list(dependent_list(actor=actor, person=person)),
        "can_edit": covers(actor, "org.change_dependent", person.unit.path),
    }


def panels_for(actor: Any, person: Any) -> list[dict[str, Any]]:
    """The panels this actor may see on this person's profile, with their extra context."""
    out = []
    own = getattr(actor, "person_id", None) == person.pk
    for panel in PERSON_PANELS:
        # A permission held only over one's own records (self-service, decision 0014) shows its
        # panel on one's own profile, not as an empty panel on everyone else's.
        if panel.perm and not (has_perm(actor, panel.perm, domain=panel.domain) if own
                               else covers(actor, panel.perm, person.unit.path, domain=panel.domain)):
            continue
        extra: dict[str, Any] = {}
        if panel.context:
            module, _sep, name = panel.context.partition(":")
            func = import_string(f"{module}.{name}")
            extra = func(actor=actor, person=person)
        out.append({"template": panel.template, "context": extra})
    return out

# --- health-checkups: the person's checkups (status only) and referrals, for the health domain ---
PERSON_PANELS.append(PersonPanel("health/partials/person_checkups_panel.html", perm="health.view_checkup",
                                 domain="health", context="jingying.health.selectors.checkups:person_panel_context"))
