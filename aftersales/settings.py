"""One settings module, read from the environment (STYLE.md §9).

SQLite is the embedded default; set DATABASE_URL for PostgreSQL.
"""

import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.secret_key import kept_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
LOCAL_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", ",".join(LOCAL_HOSTS[:3])).split(",")


def _secret_key() -> str:
    """SECRET_KEY from the environment. Without it: on this machine only (ALLOWED_HOSTS the local names: the
    embedded default, the demo, tests) a random key made once and kept in var/secret_key (mode 0600, or
    SECRET_KEY_FILE), saying so; served to other hosts with DEBUG off, refuse to start, unless SECRET_KEY_FILE
    names where to keep one. Never the repository's: a key everyone can read signs anyone's session."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FILE"):
        return kept_key(Path(os.environ["SECRET_KEY_FILE"]))
    if not DEBUG and any(host.strip() not in LOCAL_HOSTS for host in ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set, and this server answers for other hosts (ALLOWED_HOSTS) with DEBUG off. Set "
            "SECRET_KEY to a long random value, the same for every web process and worker (e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'), or SECRET_KEY_FILE to a file to keep "
            "one in.")
    return kept_key(BASE_DIR / "var" / "secret_key")


SECRET_KEY = _secret_key()
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Only for its bundled Swagger UI (templates and static files): /api/v1/docs works with no internet.
    "ninja",
    "core",
    "accounts",
    "network",
    "catalog",
    "customers",
    "workorders",
    "pricing",
    "parts",
    "dispatch",
    "demo",
    "console",
    "portal",
    "knowledge",
    "feedback",
    "integrations",
    "complaints",
    "revenue",
    "exchange",
    "maintenance",
    "logistics",
    "settlement",
    "shop",
    "reports",
    "field",
    "notifications",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view that refuses a method answers with the product's page, not an empty 405.
    "aftersales.error_views.MethodNotAllowedPage",
    # Last, as django-axes asks: it answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

# A Content-Security-Policy on every response (django-csp): the pages load scripts, styles, fonts and images
# from this site only, run no inline script and no eval, post forms only here and are framed by nobody. The one
# exception is style *attributes* (style-src-attr): the dispatch board and a few pages place elements with
# computed positions in style="..."; an attribute cannot run script, and <style> elements stay refused.
# img-src allows data: and blob: for the signature pad and photo previews. A response that sets its own
# policy (an attachment: "default-src 'none'; sandbox") keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Behind TLS (README "Deployment"): cookies only over HTTPS, HSTS, and the proxy's word for the scheme.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# e.g. "HTTP_X_FORWARDED_PROTO,https": set only when the proxy in front always sets (or strips) that header.
_proxy_ssl = os.environ.get("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl.split(",", 1)) if "," in _proxy_ssl else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = os.environ.get("ROOT_URLCONF_OVERRIDE", "aftersales.urls")
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "aftersales.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_PREPARED_STATEMENTS", False):
        # Server-side binding lets psycopg prepare a statement after its fifth run on a connection, and
        # PostgreSQL then plans it once: 40 % less server CPU per order creation. Off by default: a
        # generic plan chosen for one filter value can be slow for another (the outlet-filtered list
        # degraded under load), and poolers in transaction mode (PgBouncer before 1.21) cannot keep
        # prepared statements. docs/benchmarks.md has the measurements.
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
    elif DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_PREPARE_HOT_STATEMENTS", True):
        # Only the few statements every API request or order creation runs are prepared (core/prepared.py:
        # hot_cursor asks for it); the ORM's own statements stay unprepared. psycopg prepares nothing while
        # the threshold is None (Django's default), so it is set out of reach instead. Turn this off behind
        # a pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
                # busy timeout instead of one failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                ),
            },
            # Threads in the concurrency tests need a file, not a private in-memory database.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test.sqlite3"))},
        }
    }
    # The work-order list indexes carry extra columns for PostgreSQL's index-only scans (INCLUDE);
    # SQLite builds them without, which is all this warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Password sign-in (/accounts/login/ and /admin/login/) through django-axes: after LOGIN_FAILURE_LIMIT wrong
# passwords for one username, or from one client address, that username or address is refused for
# LOGIN_LOCKOUT_MINUTES (each further try starts the wait again), with the product's lockout page (429) and a
# warning on logger "axes". Failures are counted in the database, so the limit holds across web processes.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); nobody's by default, so
# the client address is the connection's peer (core/client_ip.py).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CSRF_FAILURE_VIEW = "aftersales.error_views.csrf_failure"
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our corrections to Django's date formats per language (aftersales/formats/zh_Hans: 1月8日, not 01月8日).
FORMAT_MODULE_PATH = ["aftersales.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (order photos, signatures, reports). There is no public /media/ URL: files are handed
# out only by views that fetch them through visible_to (workorders attachments).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Phone numbers without a country prefix are read as Chinese numbers.
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "CN")

# Bodies above this size are refused before any parsing (oversized input is a 4xx, not a 500).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest spreadsheet an import takes (exchange/services.py): 100,000 rows of the installed base are ~8 MB.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(40 * 1024 * 1024)))

# Background work (STYLE.md §8) through Django's Tasks API; TASKS_BACKEND picks where tasks wait:
# "immediate" (default: run in the process that enqueued them, after its commit; nothing else to run),
# "database" (django-tasks-db: a table; `manage.py db_worker` works it) or "redis" (django-tasks-rq on
# REDIS_URL; `manage.py rqworker default` works it). README "Background work" has the commands.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
TASKS = {"default": {"BACKEND": {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}[TASKS_BACKEND]}}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
# Jobs `manage.py run_periodic` runs (once, or every minute with --loop): tasks without arguments.
PERIODIC_TASKS = ["workorders.tasks.watch_sla", "integrations.tasks.forget_wechat_nonces", "core.tasks.deliver_outbox",
                  "notifications.tasks.send_due_customer_messages", "notifications.tasks.collect_sms_receipts",
                  "complaints.tasks.watch_ladder", "feedback.tasks.sweep_callbacks",
                  "maintenance.tasks.order_contract_visits",
                  "maintenance.tasks.refresh_schedules", "maintenance.tasks.send_due_reminders",
                  "logistics.tasks.book_due_pickups", "logistics.tasks.watch_hops"]
# The outbox (core/outbox.py, docs/outbox.md): how long a worker holds a delivery while its sink runs, and
# how many tries a delivery gets before it is dead.
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "120"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
# This site's address as a customer's message names it (a survey's link in an SMS or a WeChat message).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Where notifications go (notifications/backends.py): comma-separated class paths.
NOTIFICATION_BACKENDS = os.environ.get(
    "NOTIFICATION_BACKENDS",
    "notifications.backends.InAppBackend,notifications.backends.EmailBackend,notifications.backends.LogBackend",
).split(",")

# A cache shared by every process (gunicorn runs several): a table in the database by default
# (`manage.py createcachetable`, run by `make setup`), Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"}}

# Text messages (portal sign-in codes): a class with send(phone, text); see core/sms.py.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "core.sms.LogBackend")
SMS_OUTBOX = Path(os.environ.get("SMS_OUTBOX", str(BASE_DIR / "var" / "sms-outbox.log")))
# SMS_BACKEND=core.aliyun_sms.AliyunSmsBackend sends through Alibaba Cloud's SendSms with these (core/aliyun_sms.py).
ALIYUN_SMS = {
    "URL": os.environ.get("ALIYUN_SMS_URL", "https://dysmsapi.aliyuncs.com"),
    "ACCESS_KEY_ID": os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
    "SIGN_NAME": os.environ.get("ALIYUN_SMS_SIGN_NAME", ""),
    "CODE_TEMPLATE": os.environ.get("ALIYUN_SMS_CODE_TEMPLATE", ""),  # sign-in codes: variable ${code}
}
# Customer messages (notifications/texts.py): the approved SMS template per event kind and language. The
# gateway's copy of each template must say what notifications/texts.py says, with the same ${variables}.
SMS_TEMPLATES = json.loads(os.environ["SMS_TEMPLATES"]) if os.environ.get("SMS_TEMPLATES") else {
    kind: {"zh-hans": f"SMS_4600{n:02d}", "en": f"SMS_4601{n:02d}"} for n, kind in enumerate((
        "order.created", "order.booked", "order.assigned", "order.en_route", "order.arrived", "order.completed",
        "survey.sent", "order.urged", "complaint.opened", "complaint.resolved", "order.moved",
        "complaint.arbitrated", "reminder.consumable", "reminder.maintenance", "mailin.pickup_booked",
        "mailin.collected", "mailin.received", "mailin.quoted", "mailin.shipped", "mailin.created"), start=1)}
# WeChat template messages (integrations/wechat_messages.py): the API's address and a template id per event kind
# (first / keyword1 = number / keyword2 = time / remark); the AppID and AppSecret are the brand's WeChatAccount.
WECHAT_API = {"URL": os.environ.get("WECHAT_API_URL", "https://api.weixin.qq.com")}
WECHAT_TEMPLATES = json.loads(os.environ["WECHAT_TEMPLATES"]) if os.environ.get("WECHAT_TEMPLATES") else {
    kind: "as-service-reminder" if kind.startswith("reminder.") else "as-service-update" for kind in SMS_TEMPLATES}
# Payments in the shop (core/payments.py): RecordedBackend (staff record cash, transfers, payment on delivery) or
# core.wechatpay.WeChatPayBackend, WeChat Pay API v3 with these (PEM keys as text; the APIv3 key is 32 bytes).
PAYMENT_BACKEND = os.environ.get("PAYMENT_BACKEND", "core.payments.RecordedBackend")
WECHATPAY = {
    "URL": os.environ.get("WECHATPAY_URL", "https://api.mch.weixin.qq.com"),
    "MCH_ID": os.environ.get("WECHATPAY_MCH_ID", ""),
    "APP_ID": os.environ.get("WECHATPAY_APP_ID", ""),
    "SERIAL_NO": os.environ.get("WECHATPAY_SERIAL_NO", ""),
    "PRIVATE_KEY": os.environ.get("WECHATPAY_PRIVATE_KEY", ""),
    "PLATFORM_SERIAL": os.environ.get("WECHATPAY_PLATFORM_SERIAL", ""),
    "PLATFORM_PUBLIC_KEY": os.environ.get("WECHATPAY_PLATFORM_PUBLIC_KEY", ""),
    "API_V3_KEY": os.environ.get("WECHATPAY_API_V3_KEY", ""),
    "TIMEOUT": float(os.environ.get("WECHATPAY_TIMEOUT", "10")),
}
# Couriers for mail-in repair (core/couriers): manual (staff book by phone and type the waybill in), sf (SF Express's
# open platform with these; the route push URL is set in SF's console) or kuaidi100 (its business orders and tracking).
COURIER_BACKEND = os.environ.get("COURIER_BACKEND", "manual")
COURIER_BACKENDS = {
    "manual": "core.couriers.ManualBackend",
    "sf": "core.couriers.sf_express.SfExpressBackend",
    "kuaidi100": "core.couriers.kuaidi100.Kuaidi100Backend",
}
SF_EXPRESS = {
    "URL": os.environ.get("SF_EXPRESS_URL", "https://sfapi.sf-express.com/std/service"),
    "PARTNER_ID": os.environ.get("SF_EXPRESS_PARTNER_ID", ""),
    "CHECK_WORD": os.environ.get("SF_EXPRESS_CHECK_WORD", ""),
    "MONTHLY_CARD": os.environ.get("SF_EXPRESS_MONTHLY_CARD", ""),
    "TIMEOUT": float(os.environ.get("SF_EXPRESS_TIMEOUT", "10")),
}
KUAIDI100 = {
    "ORDER_URL": os.environ.get("KUAIDI100_ORDER_URL", "https://poll.kuaidi100.com/order/borderapi.do"),
    "POLL_URL": os.environ.get("KUAIDI100_POLL_URL", "https://poll.kuaidi100.com/poll"),
    "QUERY_URL": os.environ.get("KUAIDI100_QUERY_URL", "https://poll.kuaidi100.com/poll/query.do"),
    "KEY": os.environ.get("KUAIDI100_KEY", ""),
    "SECRET": os.environ.get("KUAIDI100_SECRET", ""),
    "CUSTOMER": os.environ.get("KUAIDI100_CUSTOMER", ""),
    "SALT": os.environ.get("KUAIDI100_SALT", ""),  # signs the pushes to us: set one (any random string)
    "COMPANY": os.environ.get("KUAIDI100_COMPANY", "shunfeng"),
    "TIMEOUT": float(os.environ.get("KUAIDI100_TIMEOUT", "10")),
}
# Email (customer messages): the console backend unless EMAIL_BACKEND says SMTP (then EMAIL_HOST, ...).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))  # seconds: a stalled SMTP server must not outlast a lease
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "service@aftersales.localhost")
EMAIL_MESSAGE_DOMAIN = DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]

# Dispatch travel times (dispatch/travel.py: road factor, speeds per region, ...): the straight line unless
# OSRM_URL names an OSRM server, whose table service is then asked (falling back to the straight line).
DISPATCH_TRAVEL = {
    "OSRM_URL": os.environ.get("OSRM_URL", ""),
    "OSRM_TIMEOUT": float(os.environ.get("OSRM_TIMEOUT", "2")),
    "OSRM_MAX_TABLE_SIZE": int(os.environ.get("OSRM_MAX_TABLE_SIZE", "100")),
}

# Where a typed address is (core/geo): the offline gazetteer (province, city, district -> the district's
# centre) unless GEOCODER_BACKEND names another, e.g. core.geo.amap.Amap with AMAP_KEY (and AMAP_PRIVATE_KEY
# when the key signs its requests); a failing provider falls back to the gazetteer.
GEOCODER = {
    "BACKEND": os.environ.get("GEOCODER_BACKEND", "core.geo.gazetteer.Gazetteer"),
    "AMAP_URL": os.environ.get("AMAP_URL", "https://restapi.amap.com"),
    "AMAP_KEY": os.environ.get("AMAP_KEY", ""),
    "AMAP_PRIVATE_KEY": os.environ.get("AMAP_PRIVATE_KEY", ""),
    "TIMEOUT": float(os.environ.get("GEOCODER_TIMEOUT", "3")),
}
# Map tiles for the pin picker (an XYZ template such as http://tiles.example.internal/{z}/{x}/{y}.png, GCJ-02
# tiles to match the sites' points) and their attribution. Empty: the picker draws a plain grid around the
# district's centre, which works on a closed network.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"aftersales": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}
