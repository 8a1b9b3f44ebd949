"""Every API error as JSON with a message a clerk understands (architecture §4: never a 500 trace).

Body shape for all of them: `{"detail": "<one sentence>", "errors": {"field": ["…"]}}` where
`errors` is present for validation failures only.

- request that does not match the schema (ninja) → 422, one Chinese message per field;
- a service's django ValidationError (business rules, e.g. the ID check digit) → 422;
- unreadable body (not JSON) → 400;
- not signed in / bad or expired token → 401 with `WWW-Authenticate: Bearer` (a token refused
  under the second-factor rule, decision 0013, says why);
- PermissionDenied → 403; Http404 (including out of scope) → 404;
- anything else → 500 with a fixed message; the trace goes to the log, never to the client.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("jingying.api")

# Location roots ninja puts in front of a field name: ("body", "payload", "name") → "name".
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def pydantic_message(error: dict[str, Any]) -> str:
    """One pydantic error in Chinese; the types are pydantic's stable error codes."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("此项为必填项")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("应为整数")
    if kind in {"float_parsing", "float_type", "decimal_parsing"}:
        return _("应为数字")
    if kind in {"bool_parsing", "bool_type"}:
        return _("应为 true 或 false")
    if kind.startswith("date"):  # date_*, datetime_*
        return _("日期格式应为 YYYY-MM-DD")
    if kind in {"string_type", "string_sub_type"}:
        return _("应为文本")
    if kind == "string_too_long":
        return _("最多 %(n)s 个字符") % {"n": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("至少 %(n)s 个字符") % {"n": ctx.get("min_length", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("不能小于 %(n)s") % {"n": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("不能大于 %(n)s") % {"n": ctx.get("le", ctx.get("lt", ""))}
    if kind in {"enum", "literal_error"}:
        return _("不是有效的选项")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("应为 JSON 对象")
    if kind in {"list_type"}:
        return _("应为列表")
    if kind == "extra_forbidden":
        return _("不认识的字段")
    if kind == "json_invalid":
        return _("不是有效的 JSON")
    return _("取值无效")


def field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        # A whole schema is one parameter (payload, filters, paging); its fields come after it.
        if len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def _response(api: NinjaAPI, request: HttpRequest, status: int, detail: str,
              errors: dict[str, list[str]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (later registrations replace ninja's defaults).

    ninja types a handler's exception as "the exception or its class", hence `exc: Any`.
    """

    def schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(field_name(error.get("loc", ())), []).append(pydantic_message(error))
        return _response(api, request, 422, _("请求数据有误，请按提示修改"), errors)

    def rule_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        return _response(api, request, 422, _("请求数据有误，请按提示修改"), errors)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, AuthenticationError) or exc.status_code == 401:
            # A token refused for a stated reason (jingying.api.auth.TokenRefusedError) says why.
            detail = exc.message if getattr(exc, "explains", False) else _("未登录，或 API 令牌无效、已过期")
            response = _response(api, request, 401, detail)
            response["WWW-Authenticate"] = 'Bearer realm="jingying"'
            return response
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            return _response(api, request, 403, _("CSRF 校验失败：请刷新页面后重试（脚本请改用 API 令牌）"))
        if exc.status_code == 403:
            return _response(api, request, 403, _("您没有执行此操作的权限"))
        if exc.status_code == 400:
            return _response(api, request, 400, _("请求无法解析：请求体应为有效的 JSON"))
        return _response(api, request, exc.status_code, str(exc))

    def permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 403, _("您没有执行此操作的权限"))

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 404, _("未找到，或不在您的权限范围内"))

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return _response(api, request, 500, _("服务器内部错误，已记录日志；请稍后重试或联系系统管理员"))

    api.add_exception_handler(NinjaValidationError, schema_error)
    api.add_exception_handler(ValidationError, rule_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(Exception, server_error)
