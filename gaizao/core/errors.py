"""The one application error type (一种错误形态).

Services raise ``AppError`` with a Chinese message and, where it applies, the field or the row it
concerns. HTML shows it beside the field, the API returns ``{"message": ..., "fields": {...}}``
with a 4xx code, the command line prints it and exits non-zero.
"""

from __future__ import annotations


class AppError(Exception):
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = str(message)
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"message": self.message, "fields": self.fields}

    @classmethod
    def from_validation_error(cls, exc) -> "AppError":
        """Turn Django's ValidationError (from full_clean) into the one error shape."""
        fields: dict[str, str] = {}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                fields[name] = "；".join(str(m) for e in errors for m in e.messages)
        messages = list(fields.values()) or [str(m) for m in exc.messages]
        return cls("；".join(messages), fields=fields)


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    """A stale edit: someone else saved the object first (optimistic locking)."""

    status = 409


class PermissionDenied(AppError):
    status = 403


# --- the API's answers for failures that are not an AppError ------------------------------------
# The API and the error views (404/500/CSRF under /api/) answer with these, so a client parses one
# shape whatever went wrong.

API_MESSAGES = {
    400: "请求有误，无法处理。",
    401: "未登录或令牌无效。",
    403: "无权执行此操作。",
    404: "不存在或无权查看。",
    405: "接口不支持该请求方法。",
    413: "请求内容过大。",
    429: "请求过于频繁，请稍后再试。",
    500: "系统出错，请稍后再试；如一再出现，请联系系统管理员。",
}
CSRF_MESSAGE = "CSRF 校验失败：请刷新页面后重试；程序调用接口请使用令牌（Authorization: Token …）。"
BAD_JSON_MESSAGE = "请求内容无法解析：须为有效的 JSON（UTF-8 编码）。"


def api_error_body(status: int, *, detail: str = "") -> dict:
    """``{"message", "fields"}`` for an HTTP status; ``detail`` is what django-ninja said (English)."""
    if "CSRF" in detail:
        message = CSRF_MESSAGE
    elif detail.startswith("Cannot parse request body"):
        message = BAD_JSON_MESSAGE
    else:
        message = API_MESSAGES.get(status) or API_MESSAGES[500 if status >= 500 else 400]
    return {"message": message, "fields": {}}


# pydantic's error types, in Chinese (its own messages are English): the field is named by the key.
_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "decimal_max_digits": "位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位过多（最多 {decimal_places} 位）",
    "finite_number": "须为有限的数",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "string_type": "须为文本",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_unicode": "须为有效的 UTF-8 文本",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "须小于 {lt}",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "须为日期，不含时间",
    "date_type": "须为日期（YYYY-MM-DD）",
    "datetime_parsing": "须为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "须为日期时间（ISO 8601）",
    "datetime_type": "须为日期时间（ISO 8601）",
    "enum": "须为以下之一：{expected}",
    "literal_error": "须为以下之一：{expected}",
    "list_type": "须为列表",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "uuid_parsing": "须为 UUID",
    "extra_forbidden": "不接受这个字段",
}


def validation_fields(errors: list[dict]) -> dict[str, str]:
    """django-ninja's validation errors as ``{field: Chinese message}`` (``a.b`` for nested ones)."""
    fields: dict[str, str] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        name = ".".join(loc) or "_"
        ctx = err.get("ctx") or {}
        if err.get("type") == "value_error" and ctx.get("error") is not None:
            message = str(ctx["error"])  # our own validators' messages are Chinese already
        elif err.get("type") in _PYDANTIC_MESSAGES:
            template = _PYDANTIC_MESSAGES[err["type"]]
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError, ValueError):
                message = template.split("{")[0].rstrip("：（ ")
        else:
            message = str(err.get("msg") or "取值无效")  # a custom error type carries its own message
        fields.setdefault(name, message)
    return fields
