import argparse

import pytest
from django.db import connection

from jingying.core import audit
from jingying.core.audit_cli import cli_verify

pytestmark = pytest.mark.django_db


def test_verify_command_passes_then_names_the_changed_entry(capsys):
    for i in range(4):
        audit.record(actor=None, action="test.event", object_id=str(i))
    assert cli_verify(argparse.Namespace()) == 0
    assert "已校验 4 条" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET action = 'forged' WHERE seq = 3")
    assert cli_verify(argparse.Namespace()) == 1
    out = capsys.readouterr().out
    assert "第 3 条" in out
    assert "内容被改动" in out
