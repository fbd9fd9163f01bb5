"""The one settings module. Every value comes from the environment (see .env.example).

A bad value fails loudly at start-up with a message that names the variable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from .env without overriding the real environment."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_dotenv(Path(os.environ.get("GAIZAO_ENV_FILE", BASE_DIR / ".env")))
VAR_DIR = BASE_DIR / os.environ.get("GAIZAO_VAR_DIR", "var")  # an absolute value replaces BASE_DIR


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"环境变量 {name} 未设置（见 .env.example）。")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 的值 {raw!r} 不是布尔值（true/false）。")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 的值 {raw!r} 不是整数。") from None


def env_positive_int(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"环境变量 {name} 应为正整数，当前值为 {value}。")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("GAIZAO_DEBUG", False)
SECRET_KEY = os.environ.get("GAIZAO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "环境变量 GAIZAO_SECRET_KEY 未设置。生产环境必须设置至少 50 个字符的随机值（见 .env.example）。"
        )
    SECRET_KEY = "insecure-development-key-only-for-GAIZAO_DEBUG-true-0123456789"

# The data key (SM4) is checked by gaizao.core.crypto when first used and at start-up
# by `gaizao run`; settings only carry the text so that a wrong value gets one clear message.
DATA_KEY = os.environ.get("GAIZAO_DATA_KEY", "")
DATA_KEYS_OLD = env_list("GAIZAO_DATA_KEYS_OLD", "")
# The audit chain's key (HMAC-SM3, checked by gaizao.core.crypto when first used and by `gaizao run`);
# the old one only while `gaizao audit rekey` runs. Checkpoints of the chain go to a file outside the database.
AUDIT_KEY = os.environ.get("GAIZAO_AUDIT_KEY", "")
AUDIT_KEY_OLD = os.environ.get("GAIZAO_AUDIT_KEY_OLD", "")
AUDIT_CHECKPOINT_FILE = BASE_DIR / (os.environ.get("GAIZAO_AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit" / "checkpoints.jsonl")

ALLOWED_HOSTS = env_list("GAIZAO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("GAIZAO_CSRF_TRUSTED_ORIGINS", "")
# A failed CSRF check answers the Chinese 403 page, or the API's JSON error shape under /api/.
CSRF_FAILURE_VIEW = "gaizao.portal.views.csrf_failure"

DISTRICT_NAME = env_str("GAIZAO_DISTRICT_NAME", "云溪区")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gaizao.core",
    "gaizao.documents",
    "gaizao.org",
    "gaizao.ledger",
    "gaizao.progress",
    "gaizao.campaign",
    "gaizao.compensation",
    "gaizao.oversight",
    "gaizao.portal",
    "gaizao.api",
    "gaizao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # before WhiteNoise, so that static files carry the headers too
    "gaizao.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gaizao.org.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gaizao.urls"
WSGI_APPLICATION = "gaizao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gaizao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gaizao.portal.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_db_url = os.environ.get("GAIZAO_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gaizao.sqlite3'}"
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=env_int("GAIZAO_DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"环境变量 GAIZAO_DATABASE_URL 无法解析：{exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing half-way (the audit chain relies on it).
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
else:
    raise ImproperlyConfigured("GAIZAO_DATABASE_URL 只支持 sqlite:/// 与 postgresql:// 两种数据库。")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (django-tasks, the API of Django 6): queued in the database, run by
# `gaizao db_worker`; "immediate" runs each task at once in the caller (the test run).
_TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "immediate": "django_tasks.backends.immediate.ImmediateBackend"}
_tasks_backend = env_str("GAIZAO_TASKS_BACKEND", "database")
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured("GAIZAO_TASKS_BACKEND 只能是 database 或 immediate。")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
# Seconds between two runs of the periodic schedule's loop (`gaizao schedule`).
GAIZAO_SCHEDULE_TICK = env_int("GAIZAO_SCHEDULE_TICK", 30)
# `gaizao run` starts the worker and the schedule as its children too (make run); production runs
# them as units of their own (docs/operations.md, "Background jobs").
GAIZAO_RUN_WORKER = env_bool("GAIZAO_RUN_WORKER", False)

# Messages outside the platform (core.messaging): every notice stays in the platform; with an SMTP
# server it is also e-mailed (after the write commits), or handed to GAIZAO_MESSAGE_SENDER.
EMAIL_HOST = env_str("GAIZAO_EMAIL_HOST", "")
EMAIL_PORT = env_positive_int("GAIZAO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("GAIZAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("GAIZAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GAIZAO_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("GAIZAO_EMAIL_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("GAIZAO_EMAIL_TLS 与 GAIZAO_EMAIL_SSL 只能选一个。")
EMAIL_TIMEOUT = env_positive_int("GAIZAO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("GAIZAO_EMAIL_FROM", "gaizao@localhost")
EMAIL_SUBJECT_PREFIX = "[gaizao] "
GAIZAO_MESSAGE_SENDER = env_str("GAIZAO_MESSAGE_SENDER", "")

# --- accounts and authentication (等保 level 3) ------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "gaizao.core.validators.PasswordClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "org:login"

# Idle timeout: the session lives 30 minutes after the last request.
SESSION_COOKIE_AGE = env_int("GAIZAO_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env_int("GAIZAO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
# Lock a user name at the address it failed from (等保: login-failure handling): by name alone,
# anyone could lock the administrator out with five requests from anywhere. The address is
# django-axes' (gaizao.core.requests.client_ip uses the same rule for the audit trail).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address behind the district's own reverse proxies: X-Forwarded-For is believed only
# from these addresses or networks (comma-separated, e.g. 10.0.0.5,10.1.0.0/24); empty: never.
TRUSTED_PROXIES = env_list("GAIZAO_TRUSTED_PROXIES", "")
try:
    import ipaddress as _ipaddress

    for _proxy in TRUSTED_PROXIES:
        _ipaddress.ip_network(_proxy, strict=False)
except ValueError as _exc:
    raise ImproperlyConfigured(f"环境变量 GAIZAO_TRUSTED_PROXIES 含有无效的地址：{_exc}") from None
AXES_CLIENT_IP_CALLABLE = "gaizao.core.requests.forwarded_client_ip"
# A user name failing from many addresses (password spraying) is slowed down, never locked: past
# this many failures in the cool-off window, one attempt per delay, refused before the password is
# checked (gaizao.org.services.login_gate).
GAIZAO_LOGIN_SPRAY_LIMIT = env_positive_int("GAIZAO_LOGIN_SPRAY_LIMIT", 10)
GAIZAO_LOGIN_SPRAY_DELAY_SECONDS = env_positive_int("GAIZAO_LOGIN_SPRAY_DELAY_SECONDS", 30)
# API tokens (接口令牌) expire after this many days; the creator may choose fewer, never more.
GAIZAO_API_TOKEN_DAYS = env_positive_int("GAIZAO_API_TOKEN_DAYS", 90)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gaizao.org.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = f"gaizao {DISTRICT_NAME}"

# --- HTTPS and headers (production) -----------------------------------------------------
HTTPS = env_bool("GAIZAO_HTTPS", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (gaizao.core.security): origins a district adds to img-src (its offline
# map tile server), comma-separated, and where browsers report violations. Checked here, so that a
# typo or a pasted directive cannot widen the policy.
_CSP_ORIGIN = r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s;,'\"]*)?"
CSP_EXTRA_IMG_SRC = env_list("GAIZAO_CSP_EXTRA_IMG_SRC", "")
for _source in CSP_EXTRA_IMG_SRC:
    if not re.fullmatch(_CSP_ORIGIN, _source):
        raise ImproperlyConfigured(
            f"环境变量 GAIZAO_CSP_EXTRA_IMG_SRC 的值 {_source!r} 不是来源地址（如 https://tiles.example.gov.cn:8443）。"
        )
# The command map's background (作战图底图): a district's offline tile server as a URL template with
# {z}, {x} and {y} (web-mercator "XYZ" tiles, 256 px), an http(s) URL or a path on this site. Empty:
# no tiles, the map draws the boundaries only. The URL's origin joins img-src (only) when set.
MAP_TILES = env_str("GAIZAO_MAP_TILES", "")
MAP_TILES_ORIGIN = ""
if MAP_TILES:
    _tiles = re.fullmatch(r"(https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?)?/[^\s;,'\"<>]*", MAP_TILES)
    if not _tiles or not all(part in MAP_TILES for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(
            f"环境变量 GAIZAO_MAP_TILES 的值 {MAP_TILES!r} 不是瓦片地址模板"
            "（如 https://tiles.example.gov.cn:8443/{z}/{x}/{y}.png，须含 {z}、{x}、{y}）。"
        )
    MAP_TILES_ORIGIN = _tiles.group(1) or ""  # a path (/tiles/{z}/{x}/{y}.png) is our own origin
CSP_REPORT_URI = os.environ.get("GAIZAO_CSP_REPORT_URI", "").strip()
if CSP_REPORT_URI and not re.fullmatch(rf"({_CSP_ORIGIN})|/[^\s;,'\"]*", CSP_REPORT_URI):
    raise ImproperlyConfigured(f"环境变量 GAIZAO_CSP_REPORT_URI 的值 {CSP_REPORT_URI!r} 不是地址（如 /csp-report/）。")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("GAIZAO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GAIZAO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("GAIZAO_HSTS_PRELOAD", True)

# --- language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Chinese only for now: every string is marked for translation, but no other catalogue ships yet,
# so the UI does not follow the browser's language (that would mix in Django's English).
LANGUAGES = [("zh-hans", "简体中文")]
FORMAT_MODULE_PATH = ["gaizao.formats"]
LOCALE_PATHS = [BASE_DIR / "gaizao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
# Front-end libraries come from npm (package.json) into node_modules, which is git-ignored.
NODE_MODULES = BASE_DIR / "node_modules"
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "gaizao" / "static",
    ("vendor/tabler", NODE_MODULES / "@tabler" / "core" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/prism", NODE_MODULES / "prismjs" / "components"),  # the compensation scheme editor's highlighting (TOML)
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),  # the API docs page (/api/docs)
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GAIZAO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# The district office can tune these without code changes.
DEMO_SEED = env_int("GAIZAO_DEMO_SEED", 2026)
# A hard case (攻坚户) without a planned next visit is overdue this many days after the last one.
GAIZAO_VISIT_INTERVAL_DAYS = env_int("GAIZAO_VISIT_INTERVAL_DAYS", 14)
# Compensation: a publicity round (公示) lasts this many days when none is given (1 to 60).
GAIZAO_PUBLICITY_DAYS = env_positive_int("GAIZAO_PUBLICITY_DAYS", 7)
if GAIZAO_PUBLICITY_DAYS > 60:
    raise ImproperlyConfigured(f"环境变量 GAIZAO_PUBLICITY_DAYS 应为 1 到 60 之间的天数，当前值为 {GAIZAO_PUBLICITY_DAYS}。")
# Rows one worksheet of an upload may hold (ledger and dates imports); larger sheets are refused
# before they are parsed (docs/operations.md, "Import limits").
GAIZAO_IMPORT_MAX_ROWS = env_positive_int("GAIZAO_IMPORT_MAX_ROWS", 200_000)
# Exact searches by citizen ID (按身份证号查询) confirm whether a number is in the ledger, so each
# user may make at most LIMIT of them in WINDOW minutes; over it, ID searches are refused for
# BLOCK minutes and the security officers are told (docs/operations.md, "ID-search limit").
GAIZAO_ID_SEARCH_LIMIT = env_positive_int("GAIZAO_ID_SEARCH_LIMIT", 20)
GAIZAO_ID_SEARCH_WINDOW_MINUTES = env_positive_int("GAIZAO_ID_SEARCH_WINDOW_MINUTES", 10)
GAIZAO_ID_SEARCH_BLOCK_MINUTES = env_positive_int("GAIZAO_ID_SEARCH_BLOCK_MINUTES", 60)
