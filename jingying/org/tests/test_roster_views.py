"""Roster screens: upload → validation report → confirm → done (tasks run immediately in tests),
bad uploads, the error workbook, the job's privacy, export and the template."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.org.models import Person, RosterImport
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.org.tests.test_roster import person_row, write_book

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tree() -> Tree:
    return Tree()


@pytest.fixture
def clerk(tree: Tree) -> Any:
    return make_user("county_pd", role=Role.POLITICAL, unit=tree.county)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, path: Path, name: str | None = None) -> Any:
    data = SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=XLSX)
    return client.post(reverse("org:roster_import"), {"file": data})


def body(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_upload_confirm_done(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    client = login(clerk)
    assert client.get(reverse("org:roster_import")).status_code == 200
    existing = PersonFactory(unit=tree.station, position="民警")
    rows = [person_row(), person_row(姓名=existing.name, 身份证号=existing.id_number,
                                     出生日期=existing.birth_date.isoformat(), 警号=existing.police_number,
                                     职务="副所长")]
    response = upload(client, write_book(tmp_path / "新城.xlsx", rows))
    assert response.status_code == 302
    job = RosterImport.objects.get()
    assert response.url == reverse("org:roster_job", args=[job.pk])
    assert job.status == RosterImport.Status.VALID
    page = client.get(response.url)
    text = body(page)
    assert "校验通过" in text and 'id="count-created">1<' in text and 'id="count-updated">1<' in text
    assert "职务" in text  # the change preview
    assert Person.objects.count() == 1  # nothing written before confirming

    confirmed = client.post(reverse("org:roster_job_confirm", args=[job.pk]))
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == RosterImport.Status.DONE
    assert Person.objects.count() == 2
    existing.refresh_from_db()
    assert existing.position == "副所长"
    assert "导入完成" in body(client.get(reverse("org:roster_job", args=[job.pk])))
    entry = AuditEntry.objects.get(action="org.roster.import")
    assert entry.after["file"] == "新城.xlsx" and entry.actor_name == "county_pd"
    # A second confirm (double click, second tab) imports nothing more.
    client.post(reverse("org:roster_job_confirm", args=[job.pk]))
    assert AuditEntry.objects.filter(action="org.roster.import").count() == 1


def test_progress_fragment_for_htmx(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    client = login(clerk)
    job = RosterImport.objects.create(created_by=clerk, file_name="x.xlsx", status=RosterImport.Status.VALIDATING,
                                      progress_done=50, progress_total=200)
    fragment = body(client.get(reverse("org:roster_job", args=[job.pk]), HTTP_HX_REQUEST="true"))
    assert fragment.lstrip().startswith("<div id=\"roster-job-status\"")
    assert 'hx-trigger="every 1s"' in fragment and "25%" in fragment
    assert "<html" not in fragment


def test_rows_with_errors_give_report_and_error_workbook(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    client = login(clerk)
    rows = [person_row(), person_row(单位="东河分局"), person_row(身份证号=1.50102198503121e17)]
    upload(client, write_book(tmp_path / "bad.xlsx", rows))
    job = RosterImport.objects.get()
    assert job.status == RosterImport.Status.INVALID
    text = body(client.get(reverse("org:roster_job", args=[job.pk])))
    assert "校验未通过" in text and "无权" in text and "被 Excel 存成了数字" in text
    assert "roster-confirm" not in text
    response = client.get(reverse("org:roster_job_errors", args=[job.pk]))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.get_sheet_by_index(0).to_python()) == 3  # header + two errors
    # Confirming an invalid job does nothing.
    client.post(reverse("org:roster_job_confirm", args=[job.pk]))
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"name,id\n", "roster.csv", "只接受 .xlsx"),
        (b"just text pretending", "roster.xlsx", "不是有效的 Excel 工作簿"),
        (b"PK\x03\x04broken zip", "roster.xlsx", "不是有效的 Excel 工作簿"),
    ],
)
def test_bad_upload_is_400_with_a_clear_message(clerk: Any, content: bytes, name: str, message: str) -> None:
    client = login(clerk)
    response = client.post(reverse("org:roster_import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in body(response)
    assert not RosterImport.objects.exists()


def test_upload_size_limit(clerk: Any, tmp_path: Path, settings: Any) -> None:
    settings.JINGYING_MAX_UPLOAD_BYTES = 1000
    path = write_book(tmp_path / "r.xlsx", [person_row() for _ in range(20)])
    response = upload(login(clerk), path)
    assert response.status_code == 400
    assert "文件太大" in body(response)


def test_job_is_private_to_its_uploader(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    upload(login(clerk), write_book(tmp_path / "r.xlsx", [person_row()]))
    job = RosterImport.objects.get()
    other = login(make_user("other_pd", role=Role.POLITICAL, unit=tree.county))
    assert other.get(reverse("org:roster_job", args=[job.pk])).status_code == 404
    assert other.post(reverse("org:roster_job_confirm", args=[job.pk])).status_code == 404
    assert Person.objects.count() == 0


def test_import_needs_permission(tree: Tree) -> None:
    leader = login(make_user("leader", role=Role.LEADER, unit=tree.county))
    assert leader.get(reverse("org:roster_import")).status_code == 403
    assert Client().get(reverse("org:roster_import")).status_code == 302  # to the login page


def test_export_streams_only_what_the_user_may_see(tree: Tree, tmp_path: Path) -> None:
    inside = PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.other_station)
    client = login(make_user("county_leader", role=Role.LEADER, unit=tree.county))
    ask = client.get(reverse("org:roster_export"))
    assert ask.status_code == 200
    assert 'name="purpose"' in ask.content.decode()  # first the purpose, then the file
    assert client.get(reverse("org:roster_export"), {"purpose": " "}).status_code == 400
    response = client.get(reverse("org:roster_export"), {"purpose": "年度统计"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    assert [r[4] for r in rows.to_python()[1:]] == [inside.id_number]
    assert client.get(reverse("org:roster_export"), {"unit": tree.station.pk, "purpose": "x"}).status_code == 200
    assert client.get(reverse("org:roster_export"), {"unit": tree.other_county.pk}).status_code == 404
    assert client.get(reverse("org:roster_export"), {"unit": "x"}).status_code == 404
    entry = AuditEntry.objects.filter(action="org.roster.export").order_by("seq").first()
    assert entry is not None and entry.actor_name == "county_leader"
    assert entry.reason == "年度统计"


def test_export_needs_permission(tree: Tree) -> None:
    me = PersonFactory(unit=tree.station)
    officer = login(make_user("officer", role=Role.OFFICER, unit=tree.station, person=me))
    assert officer.get(reverse("org:roster_export")).status_code == 403
    assert officer.get(reverse("org:roster_template")).status_code == 403


def test_template_download(clerk: Any) -> None:
    response = login(clerk).get(reverse("org:roster_template"))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert book.get_sheet_by_index(0).to_python()[0][:3] == ["姓名", "性别", "民族"]


def test_a_failing_task_is_recorded_not_left_polling(clerk: Any) -> None:
    from jingying.org.tasks import roster_validate

    job = RosterImport.objects.create(created_by=clerk, file_name="gone.xlsx", file="roster_imports/missing.xlsx")
    roster_validate.enqueue(str(job.pk))
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED and job.finished_at is not None
    text = body(login(clerk).get(reverse("org:roster_job", args=[job.pk])))
    assert "内部错误" in text and 'hx-trigger="every' not in text
