"""Django settings. Everything configurable comes from the environment.

Two modes:
- embedded (default): SQLite in GONGKAI_DATA_DIR (./var), a secret key generated
  once into that folder, static files served by WhiteNoise. This is what
  `gongkai serve` and the tests use.
- production (GONGKAI_ENV=production, in any case): DATABASE_URL, SECRET_KEY
  and ALLOWED_HOSTS must be given; refuses to start with DEBUG on or the
  default key; HTTPS only (HSTS, redirect, secure cookies).
Any other GONGKAI_ENV is refused rather than taken for embedded.
"""

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GONGKAI_DATA_DIR", "var")).resolve()
ENV = os.environ.get("GONGKAI_ENV", "").strip().lower() or "embedded"
if ENV not in ("embedded", "production"):
    # A misspelt "production" must not quietly run a development site.
    raise ImproperlyConfigured(
        f"GONGKAI_ENV must be 'production' or 'embedded' (any case), not {os.environ['GONGKAI_ENV']!r}."
    )
PRODUCTION = ENV == "production"


def _restrict(path: Path) -> None:
    """Take away any access by group and others (the owner's stays)."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:  # not ours (a mount managed elsewhere): left as it is
        pass


def _private_dir(path: Path) -> Path:
    """Create `path` readable by this account only (0700), or restrict it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        if not PRODUCTION:
            raise
        return path  # production may keep its files elsewhere (object storage)
    _restrict(path)
    return path


def private_database_files(path: Path) -> None:
    """Restrict an SQLite database and its -wal and -shm files (SQLite gives
    them the database file's mode) where they exist. Called here and, for a
    database created later, when a connection opens (core.apps): nothing is
    created before a command has decided to run."""
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists():
            _restrict(each)


# The data folder holds the database, the keys and applicants' files: this
# account's only, whatever the umask.
_private_dir(DATA_DIR)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("DEBUG", False)
DEFAULT_SECRET_KEY = "gongkai-insecure-default-secret-key"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        return DEFAULT_SECRET_KEY  # refused below
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Production refuses to start with DEBUG on: unset DEBUG.")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Production refuses to start without a real SECRET_KEY (at least 32 characters)."
        )
    if not os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL).")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # sitemap.xml for search engines (gongkai.portal.sitemaps)
    "django_tasks",      # Django's tasks API (DEP 14), backported to 5.2
    "django_tasks_db",   # its database backend: the queue in our own database
    "gongkai.core",
    "gongkai.catalog",
    "gongkai.search",
    "gongkai.ingest",
    "gongkai.publishing",
    "gongkai.portal",
    "gongkai.guides",
    "gongkai.applications",
    "gongkai.interaction",
    "gongkai.monitor",
    "gongkai.workplan",
    "gongkai.reports",
    "gongkai.workspace",
    "gongkai.api",
    "gongkai.demo",  # the demo region and `gongkai demo`: composes each app's demo module
    "axes",
    "corsheaders",
]

# Background jobs (README, "Background jobs"): the database backend, so SQLite and
# PostgreSQL need nothing else; `gongkai worker` runs the queue and the periodic
# jobs listed in GONGKAI_PERIODIC_JOBS. Redis: the RQ backend (django-tasks-rq).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
GONGKAI_PERIODIC_JOBS = "gongkai.jobs.PERIODIC"
# GONGKAI_TASKS_BACKEND=rq: the queue in Redis (GONGKAI_REDIS_URL), run by RQ's
# workers (`gongkai rqworker --with-scheduler --job-class django_tasks_rq.Job
# default`); `gongkai worker` then only enqueues the periodic jobs that are due.
GONGKAI_TASKS_BACKEND = os.environ.get("GONGKAI_TASKS_BACKEND", "").strip().lower() or "database"
if GONGKAI_TASKS_BACKEND == "rq":
    if not os.environ.get("GONGKAI_REDIS_URL", "").strip():
        raise ImproperlyConfigured("GONGKAI_TASKS_BACKEND=rq needs GONGKAI_REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
    INSTALLED_APPS[INSTALLED_APPS.index("django_tasks_db") + 1:0] = ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # A job may run as long as a monitoring crawl; RQ's default would stop it after 3 minutes.
    RQ_QUEUES = {"default": {"URL": os.environ["GONGKAI_REDIS_URL"].strip(), "DEFAULT_TIMEOUT": 3600}}
elif GONGKAI_TASKS_BACKEND != "database":
    raise ImproperlyConfigured(
        f"GONGKAI_TASKS_BACKEND must be 'database' (the default) or 'rq', not {GONGKAI_TASKS_BACKEND!r}."
    )
# A task still running after this many seconds whose worker is gone (killed, its
# machine lost) is put back in the queue by the other workers (core.scheduler).
GONGKAI_TASK_LEASE_SECONDS = int(os.environ.get("GONGKAI_TASK_LEASE_SECONDS", 600))
if GONGKAI_TASK_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("GONGKAI_TASK_LEASE_SECONDS must be a positive number of seconds.")
# Large imports and exports in the worker (workspace "后台任务"): the one folder
# whose sub-folders staff may import, and the XLSX downloads that may be made in
# the background (URL name: what the list calls it).
GONGKAI_IMPORT_ROOT = Path(os.environ.get("GONGKAI_IMPORT_ROOT") or DATA_DIR / "import")
GONGKAI_BACKGROUND_EXPORTS = {
    "monitor:report_xlsx": "网站监测报告",
    "monitor:run_xlsx": "单次网站监测报告",
    "workplan:plan_xlsx": "工作要点任务台账",
    "assessment:xlsx": "考核得分及评分依据",
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Open data (API, feeds, bulk files): readable from any site's scripts, and
    # limited per address before the page cache answers (gongkai.api.middleware).
    "corsheaders.middleware.CorsMiddleware",
    "gongkai.api.middleware.OpenDataRateLimitMiddleware",
    # Anonymous visitors' public pages straight from the cache (gongkai.portal.cache),
    # with every header the middleware below adds.
    "gongkai.portal.cache.PublicPageCacheMiddleware",
    "gongkai.portal.middleware.SecurityHeadersMiddleware",
    # Staff pages and the applicant's own pages: never kept by a browser or proxy.
    "gongkai.workspace.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Staff logins: django-axes (well kept, made for this) locks a user name from
# an address after repeated failures, for the admin and every login form.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("GONGKAI_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("GONGKAI_LOGIN_LOCKOUT_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_CLIENT_IP_CALLABLE = "gongkai.core.http.client_ip"  # the rate limits' address (see below)
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:home"

ROOT_URLCONF = "gongkai.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongkai.portal.context.site",
            ],
        },
    },
]

WSGI_APPLICATION = "gongkai.wsgi.application"


def database_config(url: str | None) -> dict:
    """One place that turns a URL (or nothing) into Django's DATABASES entry."""
    if url:
        config = dj_database_url.parse(url, conn_max_age=60)
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        private_database_files(DATA_DIR / "gongkai.sqlite3")
        # Kept open per server thread as PostgreSQL's are: opening the file and
        # running the PRAGMAs below cost more than a cached page's whole work.
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "gongkai.sqlite3"),
                  "CONN_MAX_AGE": 60}
    # Connections kept open (CONN_MAX_AGE) are checked before a request reuses
    # them: after a database restart the first request must not fail with 500.
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                # IMMEDIATE takes the write lock at BEGIN: concurrent publications
                # queue instead of failing with "database is locked" half-way.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            }
        )
    return config


DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `gongkai collectstatic` writes here (production); an image may keep it outside the data folder.
STATIC_ROOT = Path(os.environ.get("GONGKAI_STATIC_ROOT") or DATA_DIR / "static").resolve()
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Files with personal data (disclosure applications): never under MEDIA_ROOT,
# served only through views that check who asks.
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
_private_dir(MEDIA_ROOT)
_private_dir(PRIVATE_MEDIA_ROOT)
# Uploaded files and their folders: this account's only (Django's default is 0644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Uploaded files (gongkai.core.storage): "default" for the catalog's attachments,
# "private" for files with personal data. Local folders unless GONGKAI_S3_BUCKET
# names an S3-compatible bucket (README, "Scaling out"), which every web process
# and worker of the installation then shares.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def s3_storages(env) -> dict:
    """The "default" and "private" STORAGES entries on S3-compatible object
    storage, from GONGKAI_S3_* variables; {} when GONGKAI_S3_BUCKET is unset.
    Refuses, in plain words, what would mix private files with public ones."""
    bucket = env.get("GONGKAI_S3_BUCKET", "").strip()
    if not bucket:
        return {}
    private_bucket = env.get("GONGKAI_S3_PRIVATE_BUCKET", "").strip() or bucket
    media_prefix = env.get("GONGKAI_S3_MEDIA_PREFIX", "media").strip().strip("/")
    private_prefix = env.get("GONGKAI_S3_PRIVATE_PREFIX", "private").strip().strip("/")
    if private_bucket == bucket and (
        media_prefix == private_prefix or not media_prefix or not private_prefix
        or private_prefix.startswith(media_prefix + "/") or media_prefix.startswith(private_prefix + "/")
    ):
        raise ImproperlyConfigured(
            "Private files (GONGKAI_S3_PRIVATE_PREFIX) and uploaded files (GONGKAI_S3_MEDIA_PREFIX) need "
            "separate, non-empty prefixes in one bucket, or a separate GONGKAI_S3_PRIVATE_BUCKET."
        )
    endpoint = env.get("GONGKAI_S3_ENDPOINT_URL", "").strip() or None
    common = {
        "access_key": env.get("GONGKAI_S3_ACCESS_KEY_ID", "").strip() or None,  # else boto3's own chain
        "secret_key": env.get("GONGKAI_S3_SECRET_ACCESS_KEY", "").strip() or None,
        "endpoint_url": endpoint,
        "region_name": env.get("GONGKAI_S3_REGION", "").strip() or "us-east-1",
        # MinIO and most S3-compatible stores on a host name of their own need path-style addresses.
        "addressing_style": env.get("GONGKAI_S3_ADDRESSING_STYLE", "").strip() or ("path" if endpoint else None),
        "signature_version": "s3v4",
        "file_overwrite": False,  # a new name rather than replacing a file, as in a local folder
        "default_acl": None,  # the bucket's own policy: never public (the site serves every file)
        "querystring_auth": True,
        "max_memory_size": 2 * 1024 * 1024,  # a file being read spills to a temporary file past this
    }
    backend = "gongkai.core.storage.ObjectStorage"
    return {
        "default": {"BACKEND": backend, "OPTIONS": {**common, "bucket_name": bucket, "location": media_prefix}},
        "private": {"BACKEND": backend,
                    "OPTIONS": {**common, "bucket_name": private_bucket, "location": private_prefix}},
    }


STORAGES.update(s3_storages(os.environ))
# Embedded mode serves static files straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # Embedded mode serves static files from the apps (finders); the empty
    # folder keeps WhiteNoise from warning that STATIC_ROOT is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

# Database sessions whose lost connections give the 503 page, not a 400 (gongkai.core.sessions).
SESSION_ENGINE = "gongkai.core.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _flag("GONGKAI_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS in production (see README "Behind a proxy"): browsers are told to use
# HTTPS only (HSTS) and a plain-HTTP request is redirected. Behind a proxy that
# ends TLS, GONGKAI_BEHIND_TLS_PROXY=1 believes its X-Forwarded-Proto (which the
# proxy must set itself) so that the redirect does not loop.
SECURE_HSTS_SECONDS = int(os.environ.get("GONGKAI_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("GONGKAI_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _flag("GONGKAI_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole registered domain (often a government's
    # gov.cn name shared with other sites): its owner decides, not this site.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_SSL_REDIRECT = _flag("GONGKAI_SSL_REDIRECT", PRODUCTION)
if _flag("GONGKAI_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Cache: files under the data folder, shared by every process and thread on
# the machine, so the public forms' rate limits (django-ratelimit, which
# counts in this cache) hold across waitress threads and workers.
CACHES = {
    "default": {
        # Django's file cache with atomic counters for the rate limits (gongkai.core.cache).
        "BACKEND": "gongkai.core.cache.FileCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "TIMEOUT": 3 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
    # Rendered public pages (gongkai.portal.cache): each process's memory by default.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "gongkai-pages",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("GONGKAI_PAGE_CACHE_ENTRIES", 5000))},
    },
}
# Several processes or machines: one Redis for the counters and the pages.
if REDIS_URL := os.environ.get("GONGKAI_REDIS_URL", "").strip():
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                         "TIMEOUT": 3 * 3600, "KEY_PREFIX": "gongkai"}
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                       "TIMEOUT": 600, "KEY_PREFIX": "gongkai-pages"}
GONGKAI_PAGE_CACHE = os.environ.get("GONGKAI_PAGE_CACHE", "1").strip() not in ("0", "false", "no", "off")
GONGKAI_PAGE_CACHE_SECONDS = int(os.environ.get("GONGKAI_PAGE_CACHE_SECONDS", 600))
RATELIMIT_USE_CACHE = "default"
# Behind a reverse proxy every request comes from the proxy: name the proxies
# (addresses or networks) whose header giving the client's address is believed,
# and the header (default X-Forwarded-For; e.g. HTTP_X_REAL_IP). The rate limits
# and the login lockout (AXES_CLIENT_IP_CALLABLE) take the same address.
GONGKAI_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("GONGKAI_TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in GONGKAI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"GONGKAI_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from None
GONGKAI_CLIENT_IP_META_KEY = os.environ.get("GONGKAI_CLIENT_IP_META_KEY", "").strip() or None
if GONGKAI_CLIENT_IP_META_KEY and not GONGKAI_TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "GONGKAI_CLIENT_IP_META_KEY is believed only from the proxies in GONGKAI_TRUSTED_PROXIES: "
        "set GONGKAI_TRUSTED_PROXIES to the proxy's address (e.g. 127.0.0.1 for nginx on this machine)."
    )
RATELIMIT_IP_META_KEY = "gongkai.core.http.client_ip"
# A broken cache must not stop citizens from applying: without a counter, let through.
RATELIMIT_FAIL_OPEN = True

# Open data: GET from any origin, without credentials (django-cors-headers: the
# well-kept implementation of the CORS protocol, preflight included), and a
# per-address limit on it (gongkai.api.middleware).
CORS_URLS_REGEX = r"^/(api/public|feeds|data)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
GONGKAI_OPEN_DATA_RATE = os.environ.get("GONGKAI_OPEN_DATA_RATE", "600/m")

# Website monitoring: how often the worker crawls each watched site.
GONGKAI_MONITOR_INTERVAL_DAYS = int(os.environ.get("GONGKAI_MONITOR_INTERVAL_DAYS", 7))

# Catalog limits
GONGKAI_ATTACHMENT_MAX_BYTES = int(os.environ.get("GONGKAI_ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024))
GONGKAI_SITE_NAME = os.environ.get("GONGKAI_SITE_NAME", "政府信息公开平台")

# Messages to applicants (gongkai.applications.notify). E-mail through SMTP when
# GONGKAI_EMAIL_HOST is set, else printed to the console (the embedded default);
# GONGKAI_EMAIL_BACKEND names any other Django mail backend. SMS through the
# office's own gateway: GONGKAI_SMS_BACKEND names a class with send(phone, text)
# (default: only logged). GONGKAI_PUBLIC_URL (https://example.gov.cn) lets the
# messages link to the status page.
EMAIL_BACKEND = os.environ.get("GONGKAI_EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("GONGKAI_EMAIL_HOST", "").strip()
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("GONGKAI_EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = int(os.environ.get("GONGKAI_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("GONGKAI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GONGKAI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("GONGKAI_EMAIL_USE_TLS")
EMAIL_USE_SSL = _flag("GONGKAI_EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("GONGKAI_EMAIL_TIMEOUT", 30))
DEFAULT_FROM_EMAIL = os.environ.get("GONGKAI_EMAIL_FROM", "").strip() or "noreply@localhost"
GONGKAI_SMS_BACKEND = os.environ.get("GONGKAI_SMS_BACKEND", "").strip() or "gongkai.applications.sms.LogBackend"
GONGKAI_PUBLIC_URL = os.environ.get("GONGKAI_PUBLIC_URL", "").strip().rstrip("/")

# The audit log (gongkai.core.audit). Its hashes are keyed (HMAC-SHA256) with
# GONGKAI_AUDIT_KEY or else a key generated on first use into the key file
# (mode 0600); several machines must share one key. Its head is anchored
# daily (`gongkai worker`, `gongkai audit anchor`) in an append-only file and,
# when set, in a copy on another mount. Back up the key file and the anchors.
GONGKAI_AUDIT_KEY = os.environ.get("GONGKAI_AUDIT_KEY", "").strip()
if GONGKAI_AUDIT_KEY and len(GONGKAI_AUDIT_KEY) < 32:
    raise ImproperlyConfigured("GONGKAI_AUDIT_KEY must have at least 32 characters.")
GONGKAI_AUDIT_KEY_FILE = Path(os.environ.get("GONGKAI_AUDIT_KEY_FILE") or DATA_DIR / "audit_key")
GONGKAI_AUDIT_ANCHORS = Path(os.environ.get("GONGKAI_AUDIT_ANCHORS") or DATA_DIR / "audit-anchors.jsonl")
GONGKAI_AUDIT_ANCHOR_COPY = os.environ.get("GONGKAI_AUDIT_ANCHOR_COPY", "").strip()
# Objects whose public content the log records and `gongkai audit verify` checks.
GONGKAI_AUDIT_CONTENT = {"document": "gongkai.catalog.services.PublishedDocuments"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
