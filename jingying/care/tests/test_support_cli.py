import datetime as dt

import pytest

from jingying.accounts.roles import Role
from jingying.care.tasks_support import support_reminders_task
from jingying.care.tests.factories_support import make_campaign, make_policy, today
from jingying.cli import build_parser, main
from jingying.core.models import Notification
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_care_remind_command_and_task(capsys):
    tree = Tree()
    PersonFactory(unit=tree.station)
    make_campaign(tree.county)
    make_policy(tree.county, end=today() + dt.timedelta(days=10))
    leader = make_user("ld", role=Role.LEADER, unit=tree.county)
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.county)
    assert main(["care", "remind"]) == 0
    assert "1 条" in capsys.readouterr().out
    assert Notification.objects.filter(user=leader, kind="care.campaign.remind").exists()
    assert Notification.objects.filter(user=staff, kind="care.insurance.expiring").exists()
    result = support_reminders_task.enqueue()
    assert result.return_value == {"campaigns": 1, "insurance": 0}


def test_care_parser_is_shared():
    from jingying.care.support_cli import care_subparsers

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert care_subparsers(sub) is care_subparsers(sub)
