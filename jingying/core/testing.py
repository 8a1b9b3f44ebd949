"""Generic view test suites (style rules 7 and 8), in the manner of netbox's ViewTestCases.

A model's test class mixes in the suites for the views it has and only supplies data:

    class TestPersonViews(ListViewTests, DetailViewTests, EditViewTests, DeleteViewTests):
        list_url = "org:person_list"
        list_queries = 7
        detail_url = "org:person_detail"
        ...
        def build(self) -> Scope: ...            # objects and users
        def make_rows(self, scope, n): ...        # n more rows inside the scope (query counts)
        def edit_data(self, scope, obj): ...      # a valid POST for the edit view
        def was_edited(self, obj): ...            # whether that POST took effect

Every suite checks the four callers the architecture names for each view: anonymous (sent to
the login page), signed in without the permission (403 or 404), permitted and in scope (the
view works), permitted but out of scope (404, and nothing written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# "No permission" may answer 403 (a screen the user may not open at all) or 404 (an object the
# user may not act on, indistinguishable from a missing one).
REFUSED = (403, 404)


@dataclass
class Scope:
    """The data a suite runs against.

    inside:  an object the `user` may act on
    outside: an object of the same kind outside the user's subtree
    user:    holds every permission the views need, over `inside`'s subtree only
    nobody:  signed in, no grant that gives the permission
    reader:  may view `inside` but not change it (None when the model has no such role)
    """

    inside: Any
    outside: Any
    user: Any
    nobody: Any
    reader: Any = None
    extra: dict[str, Any] | None = None


def login_client(user: Any) -> Client:
    """A test client signed in as `user`, past the second factor the admin roles need."""
    from jingying.accounts.login_rules import SESSION_SECOND_FACTOR

    client = Client()
    if user is not None:
        client.force_login(user)
        session = client.session
        session[SESSION_SECOND_FACTOR] = True
        session.save()
    return client


def login_url() -> str:
    return reverse("accounts:login")


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302, response.status_code
    assert urlparse(response["Location"]).path == login_url()


class ViewTestBase:
    model: type[Model]

    def build(self) -> Scope:  # pragma: no cover - every subclass supplies it
        raise NotImplementedError

    @pytest.fixture
    def scope(self, db: Any) -> Scope:
        return self.build()

    def label(self, obj: Any) -> str:
        """Text that identifies the object on a page (its name, by default)."""
        return str(getattr(obj, "name", obj))

    def client_for(self, user: Any) -> Client:
        return login_client(user)

    def exists(self, obj: Any) -> bool:
        return type(obj)._default_manager.filter(pk=obj.pk).exists()


class ListViewTests(ViewTestBase):
    list_url: str
    list_params: dict[str, Any] = {"per_page": 100}
    # The checked-in query count of one page (rule 8); the same for 10 and 100 rows.
    list_queries: int

    def make_rows(self, scope: Scope, n: int) -> None:  # pragma: no cover - supplied by subclass
        raise NotImplementedError

    def list_count(self) -> int:
        return self.model._default_manager.count()

    def test_list_anonymous_redirects_to_login(self, scope: Scope) -> None:
        assert_login_redirect(self.client_for(None).get(reverse(self.list_url)))

    def test_list_without_permission_is_refused(self, scope: Scope) -> None:
        response = self.client_for(scope.nobody).get(reverse(self.list_url))
        assert response.status_code in REFUSED
        assert self.label(scope.inside) not in response.content.decode()

    def test_list_shows_inside_and_hides_outside(self, scope: Scope) -> None:
        response = self.client_for(scope.user).get(reverse(self.list_url))
        assert response.status_code == 200
        body = response.content.decode()
        assert self.label(scope.inside) in body
        assert self.label(scope.outside) not in body

    def test_list_query_count_is_pinned_and_independent_of_rows(
        self, scope: Scope, django_assert_num_queries: Any
    ) -> None:
        client = self.client_for(scope.user)
        url = reverse(self.list_url)
        client.get(url, self.list_params)  # warm the session
        counts = []
        for total in (10, 100):
            self.make_rows(scope, total - self.visible_rows(scope))
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, self.list_params)
            assert response.status_code == 200
            assert self.rows_on_page(response) == total
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], f"query count grows with rows: {counts}"
        with django_assert_num_queries(self.list_queries):
            client.get(url, self.list_params)

    def visible_rows(self, scope: Scope) -> int:  # pragma: no cover - supplied by subclass
        raise NotImplementedError

    def rows_on_page(self, response: Any) -> int:  # pragma: no cover - supplied by subclass
        raise NotImplementedError


class DetailViewTests(ViewTestBase):
    detail_url: str

    def detail(self, obj: Any) -> str:
        return reverse(self.detail_url, args=[obj.pk])

    def test_detail_anonymous_redirects_to_login(self, scope: Scope) -> None:
        assert_login_redirect(self.client_for(None).get(self.detail(scope.inside)))

    def test_detail_without_permission_is_404(self, scope: Scope) -> None:
        assert self.client_for(scope.nobody).get(self.detail(scope.inside)).status_code == 404

    def test_detail_in_scope(self, scope: Scope) -> None:
        response = self.client_for(scope.user).get(self.detail(scope.inside))
        assert response.status_code == 200
        assert self.label(scope.inside) in response.content.decode()

    def test_detail_out_of_scope_is_404(self, scope: Scope) -> None:
        assert self.client_for(scope.user).get(self.detail(scope.outside)).status_code == 404

    def test_detail_missing_is_404(self, scope: Scope) -> None:
        assert self.client_for(scope.user).get(reverse(self.detail_url, args=[10**9])).status_code == 404


class CreateViewTests(ViewTestBase):
    create_url: str

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:  # pragma: no cover
        """The URL to POST to and a valid payload, creating inside or outside the user's scope."""
        raise NotImplementedError

    def count(self) -> int:
        return self.model._default_manager.count()

    def test_create_anonymous_redirects_and_writes_nothing(self, scope: Scope) -> None:
        url, data = self.create_target(scope, inside=True)
        before = self.count()
        assert_login_redirect(self.client_for(None).post(url, data))
        assert self.count() == before

    def test_create_without_permission_is_refused(self, scope: Scope) -> None:
        url, data = self.create_target(scope, inside=True)
        before = self.count()
        for user in filter(None, [scope.nobody, scope.reader]):
            assert self.client_for(user).get(url).status_code in REFUSED
            assert self.client_for(user).post(url, data).status_code in REFUSED
        assert self.count() == before

    def test_create_form_renders(self, scope: Scope) -> None:
        url, _data = self.create_target(scope, inside=True)
        response = self.client_for(scope.user).get(url)
        assert response.status_code == 200
        assert b"<form" in response.content

    def test_create_in_scope(self, scope: Scope) -> None:
        url, data = self.create_target(scope, inside=True)
        before = self.count()
        response = self.client_for(scope.user).post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert self.count() == before + 1

    def test_create_out_of_scope_writes_nothing(self, scope: Scope) -> None:
        url, data = self.create_target(scope, inside=False)
        before = self.count()
        response = self.client_for(scope.user).post(url, data)
        # 404 when the URL names an object outside scope; 400 when the form offers no such choice.
        assert response.status_code in (400, 404)
        assert self.count() == before

    def test_create_invalid_input_is_400_with_message(self, scope: Scope) -> None:
        url, _data = self.create_target(scope, inside=True)
        before = self.count()
        response = self.client_for(scope.user).post(url, {})
        assert response.status_code == 400
        assert "这个字段是必填项" in response.content.decode()
        assert self.count() == before


class EditViewTests(ViewTestBase):
    edit_url: str

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:  # pragma: no cover - supplied by subclass
        raise NotImplementedError

    def was_edited(self, obj: Any) -> bool:  # pragma: no cover - supplied by subclass
        raise NotImplementedError

    def edit(self, obj: Any) -> str:
        return reverse(self.edit_url, args=[obj.pk])

    def test_edit_anonymous_redirects_and_writes_nothing(self, scope: Scope) -> None:
        client = self.client_for(None)
        assert_login_redirect(client.get(self.edit(scope.inside)))
        assert_login_redirect(client.post(self.edit(scope.inside), self.edit_data(scope, scope.inside)))
        assert not self.was_edited(scope.inside)

    def test_edit_without_permission_is_404(self, scope: Scope) -> None:
        for user in filter(None, [scope.nobody, scope.reader]):
            client = self.client_for(user)
            assert client.get(self.edit(scope.inside)).status_code == 404
            assert client.post(self.edit(scope.inside), self.edit_data(scope, scope.inside)).status_code == 404
        assert not self.was_edited(scope.inside)

    def test_edit_in_scope(self, scope: Scope) -> None:
        client = self.client_for(scope.user)
        response = client.get(self.edit(scope.inside))
        assert response.status_code == 200
        assert b"<form" in response.content
        response = client.post(self.edit(scope.inside), self.edit_data(scope, scope.inside))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert self.was_edited(scope.inside)

    def test_edit_out_of_scope_is_404(self, scope: Scope) -> None:
        client = self.client_for(scope.user)
        assert client.get(self.edit(scope.outside)).status_code == 404
        assert client.post(self.edit(scope.outside), self.edit_data(scope, scope.outside)).status_code == 404
        assert not self.was_edited(scope.outside)


class DeleteViewTests(ViewTestBase):
    delete_url: str

    def delete(self, obj: Any) -> str:
        return reverse(self.delete_url, args=[obj.pk])

    def test_delete_anonymous_redirects_and_deletes_nothing(self, scope: Scope) -> None:
        assert_login_redirect(self.client_for(None).post(self.delete(scope.inside)))
        assert self.exists(scope.inside)

    def test_delete_without_permission_is_404(self, scope: Scope) -> None:
        for user in filter(None, [scope.nobody, scope.reader]):
            assert self.client_for(user).post(self.delete(scope.inside)).status_code == 404
        assert self.exists(scope.inside)

    def test_delete_asks_first_then_deletes_in_scope(self, scope: Scope) -> None:
        client = self.client_for(scope.user)
        response = client.get(self.delete(scope.inside))
        assert response.status_code == 200
        assert self.exists(scope.inside), "GET must only ask"
        response = client.post(self.delete(scope.inside))
        assert response.status_code == 302
        assert not self.exists(scope.inside)

    def test_delete_out_of_scope_is_404(self, scope: Scope) -> None:
        assert self.client_for(scope.user).post(self.delete(scope.outside)).status_code == 404
        assert self.exists(scope.outside)
