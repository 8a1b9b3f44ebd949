"""`jingying serve` refuses the demo passwords unless --demo is given."""

import argparse

import pytest

from jingying.accounts.models import User
from jingying.core import serve

pytestmark = pytest.mark.django_db


def _args(**over):
    values = {"host": "127.0.0.1", "port": 8999, "workers": 1, "threads": 4, "demo": False, "no_worker": True}
    values.update(over)
    return argparse.Namespace(**values)


def test_refuses_to_start_while_a_demo_password_is_in_use(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(serve, "run_gunicorn", lambda **kw: started.append(kw))
    User.objects.create_user(username="region", password=serve.DEMO_PASSWORD)
    assert serve.cli_serve(_args()) == 2
    assert "region" in capsys.readouterr().err
    assert started == []


def test_starts_with_demo_flag_or_once_the_password_is_changed(monkeypatch):
    started = []
    monkeypatch.setattr(serve, "run_gunicorn", lambda **kw: started.append(kw))
    user = User.objects.create_user(username="region", password=serve.DEMO_PASSWORD)
    assert serve.cli_serve(_args(demo=True)) == 0
    user.set_password("Changed-pass-1")
    user.save()
    assert serve.demo_passwords_in_use() == []
    assert serve.cli_serve(_args()) == 0
    assert started == [{"host": "127.0.0.1", "port": 8999, "workers": 1, "threads": 4}] * 2


def test_threads_per_worker_is_the_operators_choice(monkeypatch):
    started = []
    monkeypatch.setattr(serve, "run_gunicorn", lambda **kw: started.append(kw))
    assert serve.cli_serve(_args(demo=True, workers=4, threads=1)) == 0
    assert serve.cli_serve(_args(demo=True, threads=0)) == 0  # nonsense is read as one thread
    assert [(s["workers"], s["threads"]) for s in started] == [(4, 1), (1, 1)]
