"""In-app messages: who is responsible for a unit, delivery, channels, the bell and the list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from jingying.accounts.roles import Domain, Role
from jingying.core import notifications
from jingying.core.models import Notification
from jingying.core.testing import login_client
from jingying.org.tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


def test_users_covering_lists_the_nearest_grant_first_and_leaves_other_branches_out(tree: Tree) -> None:
    station_leader = make_user("s", role=Role.LEADER, unit=tree.station)
    county_leader = make_user("c", role=Role.LEADER, unit=tree.county)
    make_user("o", role=Role.LEADER, unit=tree.other_county)
    region_political = make_user("r", role=Role.POLITICAL, unit=tree.region)
    users = notifications.users_covering("org.view_person", tree.station.path)
    assert users[:2] == [station_leader, county_leader]
    assert users[2] == region_political and len(users) == 3


def test_users_covering_needs_the_domain_and_an_active_account(tree: Tree) -> None:
    make_user("plain", role=Role.COUNSELLOR, unit=tree.region)
    psych = make_user("psych", role=Role.COUNSELLOR, unit=tree.region, domains=[Domain.PSYCH])
    make_user("gone", role=Role.COUNSELLOR, unit=tree.region, domains=[Domain.PSYCH], is_active=False)
    assert notifications.users_covering("org.view_person", tree.station.path, domain=Domain.PSYCH) == [psych]


def test_notify_writes_one_message_per_user(tree: Tree) -> None:
    a, b = make_user("a"), make_user("b")
    rows = notifications.notify(users=[a, b, a, None], kind="test", title="标题", url="/x/")
    assert len(rows) == 2
    assert notifications.unread_count(actor=a) == 1 and notifications.unread_count(actor=b) == 1


@override_settings(JINGYING_NOTIFY_CHANNELS=["jingying.core.notifications.email_channel"])
def test_urgent_messages_also_go_out_through_the_channels(django_capture_on_commit_callbacks) -> None:
    a = make_user("a", email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[a], kind="alert", title="紧急", body="请立即联系", urgent=True)
        notifications.notify(users=[a], kind="info", title="普通")
    assert [m.subject for m in mail.outbox] == ["紧急"] and mail.outbox[0].to == ["a@example.org"]


@override_settings(JINGYING_NOTIFY_CHANNELS=["jingying.core.tests.test_notifications.broken_channel"])
def test_a_broken_channel_keeps_the_in_app_message(django_capture_on_commit_callbacks) -> None:
    a = make_user("a")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[a], kind="alert", title="紧急", urgent=True)
    assert Notification.objects.filter(user=a).count() == 1


def broken_channel(notification: Notification) -> None:
    raise ConnectionError("gateway down")


def test_bell_list_open_and_read_all() -> None:
    a, b = make_user("a"), make_user("b")
    first, = notifications.notify(users=[a], kind="k", title="第一条", url="/me/access-log/")
    notifications.notify(users=[a], kind="k", title="第二条")
    other, = notifications.notify(users=[b], kind="k", title="别人的")
    client = login_client(a)
    assert ">2<" in client.get(reverse("core:notification_bell")).content.decode()
    page = client.get(reverse("core:notification_list")).content.decode()
    assert "第一条" in page and "第二条" in page and "别人的" not in page
    response = client.get(reverse("core:notification_open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/me/access-log/"
    assert notifications.unread_count(actor=a) == 1
    assert client.get(reverse("core:notification_open", args=[other.pk])).status_code == 404
    client.post(reverse("core:notification_read_all"))
    assert notifications.unread_count(actor=a) == 0 and notifications.unread_count(actor=b) == 1
    assert "badge" not in client.get(reverse("core:notification_bell")).content.decode()


def test_opening_a_message_never_redirects_off_site() -> None:
    a = make_user("a")
    note, = notifications.notify(users=[a], kind="k", title="外链", url="https://evil.example/")
    response = login_client(a).get(reverse("core:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("core:notification_list")
