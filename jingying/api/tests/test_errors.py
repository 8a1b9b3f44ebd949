"""Every pydantic error a client can cause reads as Chinese, under the field's own name."""

from __future__ import annotations

import pytest

from jingying.api.errors import field_name, pydantic_message


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing"}, "此项为必填项"),
        ({"type": "int_parsing"}, "应为整数"),
        ({"type": "float_parsing"}, "应为数字"),
        ({"type": "bool_parsing"}, "应为 true 或 false"),
        ({"type": "date_from_datetime_parsing"}, "日期格式应为 YYYY-MM-DD"),
        ({"type": "datetime_parsing"}, "日期格式应为 YYYY-MM-DD"),
        ({"type": "string_type"}, "应为文本"),
        ({"type": "string_too_long", "ctx": {"max_length": 50}}, "最多 50 个字符"),
        ({"type": "string_too_short", "ctx": {"min_length": 1}}, "至少 1 个字符"),
        ({"type": "greater_than_equal", "ctx": {"ge": 1}}, "不能小于 1"),
        ({"type": "less_than_equal", "ctx": {"le": 13}}, "不能大于 13"),
        ({"type": "enum"}, "不是有效的选项"),
        ({"type": "model_attributes_type"}, "应为 JSON 对象"),
        ({"type": "list_type"}, "应为列表"),
        ({"type": "extra_forbidden"}, "不认识的字段"),
        ({"type": "json_invalid"}, "不是有效的 JSON"),
        ({"type": "something_new"}, "取值无效"),
    ],
)
def test_pydantic_errors_in_chinese(error: dict[str, object], message: str) -> None:
    assert pydantic_message(error) == message


@pytest.mark.parametrize(
    ("loc", "name"),
    [
        (("body", "payload", "birth_date"), "birth_date"),
        (("query", "limit"), "limit"),
        (("query", "paging", "limit"), "limit"),
        (("path", "person_id"), "person_id"),
        (("body", "payload"), "payload"),
        (("body",), "__all__"),
        (("body", "payload", "items", 2, "name"), "items.2.name"),
    ],
)
def test_field_names(loc: tuple[object, ...], name: str) -> None:
    assert field_name(loc) == name
