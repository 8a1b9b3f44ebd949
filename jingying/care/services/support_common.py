"""Helpers shared by the care-support parts (rights, campaigns, childcare, insurance):
who an officer's accounts are, lists of ID numbers from a text box or a workbook, and uploads."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jingying.org.idnumber import normalise
from jingying.org.models import Person

MAX_ID_ROWS = 20000


def users_of(person_ids: Iterable[int]) -> list[Any]:
    """The active accounts of these people (an officer without an account gets no message)."""
    from jingying.accounts.models import User

    ids = [pk for pk in person_ids if pk is not None]
    if not ids:
        return []
    return list(User.objects.filter(person_id__in=ids, is_active=True))


@dataclass(frozen=True)
class IdRow:
    row: int  # as the clerk numbers it: the line of the text box or the row of the sheet
    id_number: str


def id_rows_from_text(text: str) -> list[IdRow]:
    """One ID number per line (commas, spaces and semicolons also separate)."""
    rows = []
    for index, line in enumerate(text.splitlines(), start=1):
        for part in line.replace(",", " ").replace("，", " ").replace(";", " ").replace("；", " ").split():
            rows.append(IdRow(index, normalise(part)))
    return rows


def id_rows_from_workbook(data: bytes) -> list[IdRow]:
    """The ID numbers of the first sheet: the column headed 身份证号 (or the first column), header rows skipped."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0).to_python()
    except Exception as exc:  # calamine raises its own error types for a file that is not a workbook
        raise ValidationError({"file": [_("无法读取文件，请上传 .xlsx 格式的 Excel 文件")]}) from exc
    column = 0
    start = 0
    for r, cells in enumerate(sheet[:5]):
        for c, cell in enumerate(cells):
            if "身份证" in str(cell):
                column, start = c, r + 1
                break
        if start:
            break
    rows = []
    for r, cells in enumerate(sheet[start:], start=start + 1):
        value = cells[column] if column < len(cells) else ""
        text = normalise(value)
        if text:
            rows.append(IdRow(r, text))
    return rows


def people_for_id_rows(rows: list[IdRow], allowed: QuerySet[Person], *, outside_message: str) -> list[Person]:
    """The people the rows name, all of them or none: a bad row makes a ValidationError that
    lists every bad row in Chinese ("第 3 行：……"), and nothing is written by the caller."""
    if not rows:
        raise ValidationError({"id_numbers": [_("没有找到身份证号")]})
    if len(rows) > MAX_ID_ROWS:
        raise ValidationError({"id_numbers": [_("一次最多 %(n)d 个身份证号") % {"n": MAX_ID_ROWS}]})
    wanted = {r.id_number for r in rows}
    found = {p.id_number: p for p in allowed.filter(id_number__in=wanted)}
    known = set(Person.objects.filter(id_number__in=wanted - set(found)).values_list("id_number", flat=True))
    errors = []
    seen: set[str] = set()
    for r in rows:
        if r.id_number in seen:
            continue
        seen.add(r.id_number)
        if r.id_number in found:
            continue
        if r.id_number in known:
            errors.append(_("第 %(row)d 行：%(id)s %(why)s") % {"row": r.row, "id": r.id_number, "why": outside_message})
        else:
            errors.append(_("第 %(row)d 行：身份证号 %(id)s 不在人员库中") % {"row": r.row, "id": r.id_number})
    if errors:
        raise ValidationError({"id_numbers": errors})
    return list(found.values())


# --- uploads -------------------------------------------------------------------------------


def _starts(*prefixes: bytes) -> Any:
    return lambda head: any(head.startswith(p) for p in prefixes)


def _ftyp(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def _riff(kind: bytes) -> Any:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


def _text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


# Extension → (content type, check on the first bytes). The content is checked, not only the
# name, so an executable renamed to .jpg is refused.
EVIDENCE_TYPES: dict[str, tuple[str, Any]] = {
    "jpg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    "png": ("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", _riff(b"WEBP")),
    "pdf": ("application/pdf", _starts(b"%PDF-")),
    "mp4": ("video/mp4", _ftyp),
    "mov": ("video/quicktime", _ftyp),
    "m4a": ("audio/mp4", _ftyp),
    "mp3": ("audio/mpeg", _starts(b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "wav": ("audio/wav", _riff(b"WAVE")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _starts(b"PK\x03\x04")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _starts(b"PK\x03\x04")),
    "txt": ("text/plain", _text),
}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str
    ext: str


def check_upload(upload: Any, *, max_bytes: int = EVIDENCE_MAX_BYTES) -> CheckedUpload:
    """Size and type of an uploaded file, by its extension and its first bytes."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ValidationError({"file": [_("文件是空的")]})
    if size > max_bytes:
        raise ValidationError({"file": [_("文件不能超过 %(mb)d MB") % {"mb": max_bytes // 2**20}]})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError({"file": [_("不支持的文件类型；可上传图片、PDF、音视频、Word/Excel 文档或文本")]})
    content_type, check = EVIDENCE_TYPES[ext]
    upload.seek(0)
    head = upload.read(64)
    if not check(head):
        raise ValidationError({"file": [_("文件内容与扩展名 .%(ext)s 不符") % {"ext": ext}]})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, content_type=content_type, size=size, sha256=digest.hexdigest(), ext=ext)


def people_by_refs(actor: Any, refs: Iterable[str], *, field: str = "officers") -> list[Person]:
    """People named by 警号 or 身份证号, each visible to the actor; an unknown one is a field error."""
    from jingying.org.selectors import person_list

    tokens = [normalise(r) for r in refs if str(r).strip()]
    if not tokens:
        return []
    visible = person_list(actor=actor).filter(models_q_for(tokens))
    by_key: dict[str, Person] = {}
    for person in visible:
        by_key[person.id_number] = person
        if person.police_number:
            by_key[person.police_number] = person
    missing = [t for t in tokens if t not in by_key]
    if missing:
        raise ValidationError({field: [_("找不到警号或身份证号为 %(refs)s 的人员（或不在您的管理范围内）")
                                       % {"refs": "、".join(missing)}]})
    out: list[Person] = []
    for t in tokens:
        if by_key[t] not in out:
            out.append(by_key[t])
    return out


def models_q_for(tokens: list[str]) -> Any:
    from django.db.models import Q

    return Q(id_number__in=tokens) | Q(police_number__in=tokens)


def split_refs(text: str) -> list[str]:
    return id_and_number_tokens(text)


def id_and_number_tokens(text: str) -> list[str]:
    for sep in ",，;；、":
        text = text.replace(sep, " ")
    return text.split()
