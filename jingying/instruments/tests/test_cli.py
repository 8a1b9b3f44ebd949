"""`jingying instruments list|score` (instruments.md §19)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jingying.cli import main

FIELDS = {"instrument", "total", "raw_total", "band", "subscales", "flags", "scorable"}


def run(capsys, *argv):
    code = main(["instruments", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_score_json_is_exactly_the_section_19_object(capsys):
    code, out, err = run(capsys, "score", "PHQ-9", "--answers", "1,2,3,1,0,0,0,2,1", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == FIELDS
    assert data == {"instrument": "PHQ-9", "total": 10, "raw_total": 10, "band": "moderate",
                    "subscales": {"PHQ-2": 3}, "flags": ["safety_escalation", "referral", "phq2_positive"],
                    "scorable": True}


def test_score_empty_and_null_are_unanswered(capsys):
    # items 8 and 9 unanswered: 7 answered, sum 7 → 7/7 × 9 = 9; item 9 unanswered ⇒ escalation
    code, out, _ = run(capsys, "score", "PHQ-9", "--answers", "1,1,1,1,1,1,1,,null", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["total"], data["raw_total"], data["band"], data["flags"]) == (9, 7, "mild", ["safety_escalation"])


def test_score_not_scorable(capsys):
    code, out, _ = run(capsys, "score", "GAD-7", "--answers", "3,3,3,3,3,3,", "--json")
    assert code == 0
    assert json.loads(out) == {"instrument": "GAD-7", "total": None, "raw_total": None, "band": None,
                               "subscales": {"GAD-2": 6}, "flags": ["gad2_positive"], "scorable": False}


def test_score_who5_percentage(capsys):
    _, out, _ = run(capsys, "score", "WHO-5", "--answers", "3,3,2,2,2", "--json")
    assert json.loads(out)["total"] == 48 and json.loads(out)["raw_total"] == 12


def test_score_cbi_subscales(capsys):
    answers = ",".join(["100"] * 6 + ["0"] * 6 + ["100"] + [""] * 6)
    _, out, _ = run(capsys, "score", "CBI", "--answers", answers, "--json")
    data = json.loads(out)
    assert data["subscales"] == {"personal": 100, "work": 0, "client": None}
    assert (data["total"], data["band"], data["flags"]) == (None, None, ["high_burnout_personal"])


@pytest.mark.parametrize(("sex", "band"), [("male", "negative"), ("female", "positive")])
def test_score_sex(capsys, sex, band):
    _, out, _ = run(capsys, "score", "AUDIT-C", "--answers", "1,1,1", "--sex", sex, "--json")
    assert json.loads(out)["band"] == band


def test_score_cutoff(capsys):
    answers = ",".join(["4"] * 7 + ["3"] + ["0"] * 12)  # 31
    _, out, _ = run(capsys, "score", "PCL-5", "--answers", answers, "--cutoff", "31", "--json")
    assert json.loads(out)["band"] == "probable_ptsd"
    _, out, _ = run(capsys, "score", "PCL-5", "--answers", answers, "--json")
    assert json.loads(out)["band"] == "below_cutoff"


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["PHQ-9", "--answers", "0,0,0,0,0,0,0,0"], "应有 9 或 10 个答案"),
        (["PHQ-9", "--answers", "0,0,0,0,0,0,0,0,4"], "第 9 题的答案 4 不在允许的取值之内：0、1、2、3"),
        (["AUDIT", "--answers", "0,0,0,0,0,0,0,0,3,0"], "第 9 题的答案 3 不在允许的取值之内：0、2、4"),
        (["PHQ-2", "--answers", "a,1"], "第 1 题的答案“a”不是整数"),
        (["PHQ-2", "--answers", "1.5,1"], "不是整数"),
        (["K10", "--answers", "0,1,1,1,1,1,1,1,1,1"], "1、2、3、4、5"),
        (["PCL-5", "--answers", ",".join(["0"] * 20), "--cutoff", "38"], "31、32、33"),
        (["PCL-5", "--answers", ",".join(["0"] * 20), "--cutoff", "x"], "切分值应为整数"),
        (["WHO-5", "--answers", "1,1,1,1,1", "--cutoff", "10"], "没有可配置的切分值"),
        (["XYZ", "--answers", "1"], "没有代码为“XYZ”的量表"),
    ],
)
def test_score_bad_input_exits_2_with_chinese_reason(capsys, argv, reason):
    code, out, err = run(capsys, "score", *argv, "--json")
    assert code == 2
    assert out == ""
    assert reason in err


def test_score_human_output(capsys):
    code, out, _ = run(capsys, "score", "PHQ-9", "--answers", "3,3,3,3,3,0,0,0,2")
    assert code == 0
    assert "总分：17" in out and "moderately_severe" in out and "emergent" in out


def test_list_json(capsys):
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    rows = {row["code"]: row for row in json.loads(out)}
    assert len(rows) == 15
    phq9 = rows["PHQ-9"]
    assert phq9["name"]["zh"] and phq9["name"]["en"]
    assert (phq9["items"], phq9["value_range"], phq9["item_texts_included"]) == (9, [0, 3], True)
    assert phq9["licence"]["status"] == "free"
    assert rows["ISI"]["item_texts_included"] is False
    assert rows["ISI"]["licence"]["status"] == "licence_required"
    assert rows["PCL-5"]["item_texts"] == {"zh": False, "en": True}
    assert rows["AUDIT"]["value_sets"] == [{"items": [str(n) for n in range(1, 9)], "values": [0, 1, 2, 3, 4]},
                                          {"items": ["9", "10"], "values": [0, 2, 4]}]
    assert rows["K10"]["value_range"] == [1, 5]
    assert rows["CBI"]["value_range"] == [0, 100]
    assert rows["AUDIT-C"]["cutoff"]["by_sex"] == {"male": 4, "female": 3}


def test_list_plain(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert len(out.strip().splitlines()) == 15


def test_real_command_exit_status():
    # the installed entry point, as the issue states it; exit 2 must reach the shell
    proc = subprocess.run(
        [sys.executable, "-m", "jingying.cli", "instruments", "score", "PHQ-2", "--answers", "0,9", "--json"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 2
    assert "第 2 题" in proc.stderr
