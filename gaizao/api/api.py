"""The one NinjaAPI: each app's router, token or session auth, one error shape."""

from __future__ import annotations

import logging
from functools import wraps
from importlib import import_module

from django.apps import apps as django_apps
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseNotAllowed
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.renderers import JSONRenderer
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, SessionAuth

from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, api_error_body, validation_fields
from gaizao.org.models import ApiToken


class TokenAuth(APIKeyHeader):
    """``Authorization: Token <key>`` — only the SM3 hash of the key is stored.

    Refused (401): an unknown or revoked token, a disabled account's, and an expired one, which
    is told so (the caller needs a new token, not a retry).
    """

    param_name = "Authorization"

    def authenticate(self, request, key):
        if not key or not key.startswith("Token "):
            return None
        digest = sm3_hex(key[6:].strip().encode())
        token = ApiToken.objects.select_related("user").filter(key_hash=digest).first()
        if token is None or token.revoked_at is not None or not token.user.is_active:
            return None
        if token.expires_at <= timezone.now():
            expired = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
            raise AppError(f"接口令牌已于 {expired} 过期，请在“账号安全”页面重新创建令牌。", status=401)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.user = token.user
        return token.user


class VerifiedSessionAuth(SessionAuth):
    """A browser session; privileged roles must have passed their second factor."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and user.needs_second_factor and not user.is_verified():
            return None
        return user


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Chinese text travels as itself, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


def _signed_in(view):
    """The schema (``/api/openapi.json``) for a signed-in caller only, by the API's own auth (a
    token, or a browser session past its second factor); anyone else gets the 401 of the one shape."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            user = next((found for auth in api.auth if (found := auth(request)) is not None), None)
        except AppError as exc:  # an expired token is told so
            return api.create_response(request, exc.as_dict(), status=exc.status)
        except HttpError as exc:
            return api.create_response(request, api_error_body(exc.status_code), status=exc.status_code)
        if user is None:
            return _unauthenticated(request, None)
        return view(request, *args, **kwargs)

    return wrapper


DESCRIPTION = """城中村改造攻坚专项行动平台接口。所有数据按账号权限范围返回；范围外的对象返回 404。

**接口令牌**：登录后在“账号安全”页面的“接口令牌”处创建（只显示一次，请立即复制保存）；调用时在请求头中携带
`Authorization: Token <令牌>`。错误统一返回 `{"message": "中文说明", "fields": {"字段": "说明"}}`。"""

api = NinjaAPI(
    title="gaizao API",
    version="1",
    description=DESCRIPTION,
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
    # The docs page is ours (gaizao/api/views.py, at /api/docs): Swagger UI from our static files,
    # under the one Content-Security-Policy. ninja serves the schema only, to signed-in callers.
    docs_url=None,
    docs_decorator=_signed_in,
    renderer=ChineseJSONRenderer(),
)


@api.exception_handler(AppError)
def _app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"message": "不存在或无权查看。", "fields": {}}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"message": "未登录或令牌无效。", "fields": {}}, status=401)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    return api.create_response(request, {"message": "请求参数有误。", "fields": validation_fields(exc.errors)},
                               status=422)


@api.exception_handler(ValidationError)
def _django_invalid(request, exc: ValidationError):
    err = AppError.from_validation_error(exc)
    return api.create_response(request, err.as_dict(), status=400)


# Every other way a request can fail answers the same shape, never ninja's {"detail": …} or an
# HTML page: the errors ninja raises itself (a body that is not JSON, a failed CSRF check), a body
# over DATA_UPLOAD_MAX_MEMORY_SIZE, and anything unforeseen.

@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, api_error_body(exc.status_code, detail=str(exc)), status=exc.status_code)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc: SuspiciousOperation):
    status = 413 if isinstance(exc, RequestDataTooBig) else 400
    return api.create_response(request, api_error_body(status), status=status)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    # Logged like Django's own 500s (django.request, with the traceback, for the admins' mail);
    # the signal lets the test client re-raise it. The caller learns nothing of the cause.
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request},
    )
    got_request_exception.send(sender=None, request=request)
    return api.create_response(request, api_error_body(500), status=500)


def _mount_routers() -> None:
    """Each installed app that declares ``api_prefix`` on its AppConfig has the ``router`` of its
    ``api`` module mounted there: a new app needs no line here."""
    for config in django_apps.get_app_configs():
        prefix = getattr(config, "api_prefix", None)
        if prefix is not None:
            api.add_router(prefix, import_module(f"{config.name}.api").router)


_mount_routers()


def json_not_allowed(view):
    """django-ninja answers a method a path does not take with a bare "Method not allowed": the
    one shape instead, keeping the ``Allow`` header."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            answer = api.create_response(request, api_error_body(405), status=405)
            answer["Allow"] = response["Allow"]
            return answer
        return response

    return wrapper


def api_urls():
    """What gaizao/urls.py mounts at /api/: the API's URL patterns, each view answering 405 as JSON."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = json_not_allowed(pattern.callback)
    return patterns, app_name, namespace
