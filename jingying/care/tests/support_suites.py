"""What the view tests of the care-support screens (campaigns, childcare, insurance, rights)
share: the five generic suites of jingying.core.testing, URL names from one prefix, the rows of
a list counted the same way, and the usual cast (staff over the city, a reader, nobody).

A screen's test class only supplies its data:

    class TestCampaignViews(SupportViewTests):
        model = CareCampaign
        urls = "care:campaign_"          # care:campaign_list, _detail, _create, _edit, _delete
        list_queries = 6

        def build(self) -> Scope: return tree_scope(lambda unit, label: make_campaign(unit, name=label), ...)
        def make_row(self, scope, i): ...
        def create_target(...), edit_data(...), was_edited(...)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from jingying.accounts.roles import Role
from jingying.core import testing
from jingying.core.testing import Scope
from jingying.org.tests.factories import Tree, make_user


def tree_scope(make: Callable[[Any, str], Any], *, inside: tuple[str, str], outside: tuple[str, str],
               **extra: Any) -> Scope:
    """A fresh tree with one object inside the city and one outside it, each `make(unit, label)`
    at (unit attribute of the tree, label); the staff user (political department) over the city,
    a leader of the city who may only read, and a user with no grant. The tree is in `extra`."""
    tree = Tree()
    return Scope(
        inside=make(getattr(tree, inside[0]), inside[1]),
        outside=make(getattr(tree, outside[0]), outside[1]),
        user=make_user("pd", role=Role.POLITICAL, unit=tree.city),
        nobody=make_user("nobody"),
        reader=make_user("leader", role=Role.LEADER, unit=tree.city),
        extra={"tree": tree, **extra},
    )


class SupportViewTests(testing.ListViewTests, testing.DetailViewTests, testing.CreateViewTests,
                       testing.EditViewTests, testing.DeleteViewTests):
    """List, detail, create, edit and delete suites for one care-support screen."""

    # The common prefix of the five URL names, e.g. "care:policy_" for care:policy_list and so on.
    urls: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.urls:
            for view in ("list", "detail", "create", "edit", "delete"):
                setattr(cls, f"{view}_url", f"{cls.urls}{view}")

    def make_row(self, scope: Scope, i: int) -> None:  # pragma: no cover - supplied by subclass
        """One more row inside the staff user's scope (numbered, so names stay unique)."""
        raise NotImplementedError

    def make_rows(self, scope: Scope, n: int) -> None:
        for i in range(n):
            self.make_row(scope, i)

    def visible_rows(self, scope: Scope) -> int:
        """Rows the staff user sees: those of units in the city's subtree."""
        city = scope.extra["tree"].city
        return self.model._default_manager.filter(unit__path__startswith=city.path).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count("<tr data-row>")
