"""Analysis on the results page (tabs), the API endpoints, the Excel export and the index editor:
k-respecting, scoped like the results (404 outside the caller's units)."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.core.testing import login_client
from jingying.org.tests.factories import Tree, make_unit, make_user
from jingying.surveys import services, transfer
from jingying.surveys.models import Questionnaire
from jingying.surveys.tests.factories import export_via_job, good_answers, make_campaign, make_version
from jingying.surveys.tests.factories_analysis import add_responses
from jingying.surveys.tests.test_api import bearer

pytestmark = pytest.mark.django_db

API = "/api/v1/surveys/campaigns"


@pytest.fixture
def world() -> dict[str, Any]:
    tree = Tree()
    version = make_version(tree.region)
    services.version_index_save(actor=SYSTEM, version=version, code="morale", name="士气指数",
                                items=[{"question": "mood"}, {"question": "grid", "row": "pay", "reverse": True}])
    campaign = make_campaign(tree.region, version=version)
    add_responses(campaign, tree.station, 6, category="police", age_band="lt30",
                  **good_answers(mood="5", words="加班太多，希望保障轮休"))
    add_responses(campaign, tree.station, 6, category="auxiliary", age_band="30-39",
                  **good_answers(mood="2", words="加班费一直没发"))
    small = make_unit(tree.county, "150102002", "新城区分局第二派出所")
    add_responses(campaign, small, 3, category="auxiliary", age_band="55+", **good_answers(mood="1", words="装备老旧"))
    add_responses(campaign, tree.other_station, 10, category="police", age_band="40-49",
                  **good_answers(mood="4", words="食堂伙食需要改善"))
    return {"tree": tree, "campaign": campaign, "version": version, "small": small,
            "region": make_user("region", role=Role.POLITICAL, unit=tree.region),
            "county": make_user("county", role=Role.LEADER, unit=tree.county)}


def _page(client: Any, campaign: Any, **params: Any) -> Any:
    return client.get(reverse("surveys:campaign_results", args=[campaign.pk]), params)


def test_results_tabs(world: dict[str, Any]) -> None:
    client = login_client(world["region"])
    campaign = world["campaign"]
    page = _page(client, campaign).content.decode()
    assert 'id="analysis-tabs"' in page and "交叉分析" in page and "主题" in page
    page = _page(client, campaign, tab="cross", question="mood", by="category").content.decode()
    assert 'id="analysis-cross"' in page and 'data-key="auxiliary"' in page
    page = _page(client, campaign, tab="cross", question="mood", by="age").content.decode()
    assert 'data-key="__rest__"' in page and "未单列" in page
    page = _page(client, campaign, tab="cross", question="mood", by="nonsense").content.decode()
    assert "不能按" in page
    page = _page(client, campaign, tab="index").content.decode()
    assert "士气指数" in page and "data-chart=" in page and "surveys/trend.js" in page
    assert "<script>" not in page  # CSP: the chart comes from a static file
    page = _page(client, campaign, tab="themes", question="words").content.decode()
    assert 'class="border rounded p-2 mb-2 theme"' in page and "加班" in page
    assert "装备老旧" not in page  # a theme of 3 (< k) and its answers never shown


def test_results_tabs_out_of_scope_and_below_k(world: dict[str, Any]) -> None:
    client = login_client(world["county"])
    campaign = world["campaign"]
    assert _page(client, campaign, tab="cross", unit=world["tree"].other_county.pk).status_code == 404
    page = _page(client, campaign, tab="cross", unit=world["small"].pk)
    assert page.status_code == 200 and 'id="analysis-cross"' not in page.content.decode()


def test_api_crosstab_indices_trend_themes(world: dict[str, Any]) -> None:
    client = login_client(None)
    headers = bearer(world["region"])
    cid = world["campaign"].pk
    data = client.get(f"{API}/{cid}/crosstab", {"question": "mood", "by": "category"}, **headers).json()
    assert data["shown"] and data["respondents"] == 25
    cols = {c["key"]: c for c in data["columns"]}
    assert cols["police"]["respondents"] == 16 and cols["police"]["cells"][""]["4"] == {"count": 10, "percent": 62}
    assert cols["auxiliary"]["respondents"] == 9 and "__rest__" not in cols
    data = client.get(f"{API}/{cid}/crosstab", {"question": "mood", "by": "age"}, **headers).json()
    cols = {c["key"]: c for c in data["columns"]}
    # the county's three over-50s are pooled with the next smallest band of that block
    assert not cols["50+"]["shown"] and cols["50+"]["cells"] == {} and cols["__rest__"]["respondents"] >= 5
    data = client.get(f"{API}/{cid}/indices", **headers).json()
    assert data["indices"][0]["code"] == "morale" and data["indices"][0]["respondents"] == 25
    data = client.get(f"{API}/{cid}/indices/morale/trend", **headers).json()
    assert [p["campaign"] for p in data["points"]] == [cid] and data["name"] == "士气指数"
    data = client.get(f"{API}/{cid}/themes", {"question": "words"}, **headers).json()
    assert data["shown"] and [(t["words"][0], t["count"]) for t in data["themes"]] == [
        ("食堂", 10), ("加班费", 6), ("加班", 6)]
    assert data["other"] == 3 and data["themes"][0]["examples"] == ["食堂伙食需要改善"]  # one distinct answer
    assert client.get(f"{API}/{cid}/crosstab", {"question": "nope"}, **headers).status_code == 422
    assert client.get(f"{API}/{cid}/themes", {"question": "mood"}, **headers).status_code == 422
    assert client.get(f"{API}/{cid}/indices/nope/trend", **headers).status_code == 422


def test_api_scope(world: dict[str, Any]) -> None:
    client = login_client(None)
    headers = bearer(world["county"])
    cid, tree = world["campaign"].pk, world["tree"]
    for url in (f"{API}/{cid}/crosstab?question=mood&unit={tree.region.pk}",
                f"{API}/{cid}/crosstab?question=mood&unit={tree.other_county.pk}",
                f"{API}/{cid}/indices?unit={tree.other_county.pk}", f"{API}/{cid}/themes?question=words&unit={tree.region.pk}",
                f"{API}/{cid}/indices/morale/trend?unit={tree.other_station.pk}"):
        assert client.get(url, **headers).status_code == 404, url
    data = client.get(f"{API}/{cid}/crosstab?question=mood&by=level:3", **headers).json()
    assert data["unit"] == tree.county.pk and data["respondents"] == 15
    assert all(not c["shown"] and c["cells"] == {} for c in data["columns"] if c["key"] != "__rest__")
    assert client.get(f"{API}/{cid}/indices").status_code == 401


def test_export_workbook(world: dict[str, Any]) -> None:
    client = login_client(world["region"])
    response = export_via_job(client, world["campaign"].pk)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {"结果", "参与情况", "交叉分析", "指数", "主题"} <= set(book.sheetnames)
    cross = [tuple(row) for row in book["交叉分析"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(cross) if r[0] == "您对当前工作状态的满意程度 · 按人员类别")
    assert cross[head + 1][:4] == ("分组", "合计", "民警", "辅警")
    assert cross[head + 2][:4] == ("作答人数", 25, 16, 9)
    very = next(r for r in cross[head + 3:] if r[0] == "很满意")
    assert very[1:4] == (6, 6, 0)
    by_age = next(i for i, r in enumerate(cross) if r[0] == "您对当前工作状态的满意程度 · 按年龄段")
    labels = list(cross[by_age + 1])
    assert cross[by_age + 2][labels.index("50 岁及以上")] == "不显示（人数不足）"
    assert isinstance(cross[by_age + 2][labels.index("未单列（人数少的组合并）")], int)
    by_level = next(i for i, r in enumerate(cross) if r[0] == "您对当前工作状态的满意程度 · 按单位（所队级）")
    assert "不显示（人数不足）" in cross[by_level + 2]  # the hidden stations are marked
    flat = [v for row in cross for v in row if v is not None]
    assert "装备老旧" not in flat
    index = list(book["指数"].iter_rows(values_only=True))
    assert index[2][:3] == ("合计", 55, 25)  # (6·75 + 6·37.5 + 3·25 + 10·62.5) / 25 = 1375 / 25
    themes = list(book["主题"].iter_rows(values_only=True))
    assert ("食堂、伙食", 10) in [r[:2] for r in themes]
    assert not any("希望保障轮休" in str(v) for r in themes for v in r)  # no answer text in the export


def test_index_editor(world: dict[str, Any]) -> None:
    tree = world["tree"]
    staff = make_user("staff", role=Role.POLITICAL, unit=tree.region)
    client = login_client(staff)
    version = world["version"]
    url = reverse("surveys:index_edit", args=[version.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": "pay", "name": "待遇指数", "items": "grid.pay -grid.lead"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.indices[1] == {"code": "pay", "name": "待遇指数",
                                  "items": [{"question": "grid", "row": "pay"},
                                            {"question": "grid", "row": "lead", "reverse": True}]}
    response = client.post(url, {"code": "bad", "name": "错", "items": "words"})
    assert response.status_code == 400 and "只有量表、单选、矩阵和数字题可以计入指数" in response.content.decode()
    response = client.post(url, {"code": "bad", "name": "错", "items": "nope"})
    assert "没有题目" in response.content.decode()
    assert client.get(url, {"code": "morale"}).content.decode().count("-grid.pay") == 1
    assert client.post(f"{url}?code=pay", {"code": "pay2", "name": "待遇", "items": "grid.pay"}).status_code == 302
    version.refresh_from_db()
    assert [i["code"] for i in version.indices] == ["morale", "pay2"]
    assert client.get(url, {"code": "missing"}).status_code == 404
    detail = client.get(reverse("surveys:version_detail", args=[version.pk])).content.decode()
    assert 'data-code="pay2"' in detail
    client.post(reverse("surveys:index_delete", args=[version.pk]), {"code": "pay2"})
    client.post(reverse("surveys:index_delete", args=[version.pk]), {"code": "pay2"})
    version.refresh_from_db()
    assert [i["code"] for i in version.indices] == ["morale"]
    # outside the owner's scope: 404
    other = login_client(make_user("other", role=Role.POLITICAL, unit=tree.other_city))
    assert other.get(url).status_code == 404


def test_indices_travel_with_the_questionnaire_file(world: dict[str, Any]) -> None:
    data = transfer.export(world["version"])
    assert data["indices"][0]["code"] == "morale"
    data["code"] = "morale-copy"
    staff = make_user("staff", role=Role.POLITICAL, unit=world["tree"].region)
    client = login_client(staff)
    upload = SimpleUploadedFile("q.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")
    response = client.post(reverse("surveys:questionnaire_import"), {"unit": world["tree"].region.pk, "file": upload})
    assert response.status_code == 302
    copy = Questionnaire.objects.get(code="morale-copy").versions.get()
    assert copy.indices == world["version"].indices
    # a revision keeps them
    services.version_publish(actor=SYSTEM, version=copy)
    assert services.version_revise(actor=SYSTEM, version=copy).indices == copy.indices
    data["indices"] = [{"code": "x", "name": "X", "items": [{"question": "words"}]}]
    with pytest.raises(Exception, match="只有量表"):
        transfer.parse(data)
