"""Every setting of Rumbo. The environment is read through config.env only."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, VAR_DIR, env

VAR_DIR.mkdir(exist_ok=True)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "common",
    "outbox",
    "accounts",
    "okrs",
    "kpis",
    "dashboards",
    "notifications",
    "webhooks",
    "comments",
    "auditlog",
    "activity",
    "portability",
    "onboarding",
    "diagnostics",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.NoStoreMiddleware",
    "accounts.middleware.OrganizationMiddleware",
    "accounts.middleware.LanguageMiddleware",  # the person's language, else the organization's
    "activity.middleware.ActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out login with the lockout page
]

# Content-Security-Policy (django-csp): scripts only from this server's files, never inline. Styles may be
# inline because plotly.js and the API docs (Redoc, Swagger UI) write <style> elements and style
# attributes while they draw; no page of ours needs it for anything else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.membership",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# An unset DATABASE_URL means the embedded default: one SQLite file under var/.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rumbo.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server and the Celery worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction pooling mode (README: Scaling out), server-side cursors cannot live
    # across transactions: turn them off.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Activity history (django-auditlog): entries live in activity.ActivityEntry, values kept as JSON types.
AUDITLOG_LOGENTRY_MODEL = "activity.ActivityEntry"
# auditlog's migrations create its own LogEntry table even though activity.ActivityEntry replaces it;
# an empty table referencing users and content types would only block test flushes on PostgreSQL.
# Unmigrated, the swapped-out model gets no table at all.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_STORE_JSON_CHANGES = True

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Short timeouts: a Redis that is down or unreachable costs a request at most a second or two, and
    # every cache user degrades open (the API throttle lets the request through and logs a warning).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=2.0),
            },
        }
    }
else:
    # The database cache is shared by every process, so locks taken through it hold across the
    # web server and the worker; created by `manage.py createcachetable`.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rumbo_cache"}
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Login throttling (django-axes) on /accounts/login/ and /admin/login/: after AXES_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is refused until AXES_COOLOFF_TIME has passed
# or an administrator deletes the attempt under Admin -> Axes -> Access attempts.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/login_locked_out.html"
AXES_RESET_ON_SUCCESS = True
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

# Outgoing mail. EMAIL_URL in django-environ's form: smtp://user:password@host:587 (smtp+tls:// for
# STARTTLS, smtp+ssl:// for implicit TLS), or consolemail:// to print every mail on the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Rumbo <rumbo@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds to wait for the mail server, so that a server that does not answer never holds a page.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Where people reach Rumbo: links in mail sent outside a request (invitations, `create_organization`).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers on the pages follow the active language (config/formats/<language>/formats.py);
# money, percentages and grouped numbers go through common.numbers, which reads the same separators.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Django REST framework: one error shape, drf-spectacular schema, django-filter.
REST_FRAMEWORK = {
    # The token scheme comes first so that an anonymous request is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env("API_THROTTLE_RATE", default="1200/hour")},
    # JSON in and out only: no form or multipart bodies, no browsable API (the docs are Swagger UI).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "common.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
# Failed API token authentications per client address: past this many in a window of this many seconds,
# the address gets 429 with Retry-After (valid tokens included) until the window ends.
API_TOKEN_FAILURE_LIMIT = env.int("API_TOKEN_FAILURE_LIMIT", default=20)
API_TOKEN_FAILURE_WINDOW = env.int("API_TOKEN_FAILURE_WINDOW", default=300)
# Request bodies above this size are answered 413 in the JSON error shape (common.api). A batch of
# 10,000 measurements (the most one request takes) with keys and notes at their longest is about 8 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SPECTACULAR_SETTINGS = {
    "TITLE": "Rumbo API",
    "DESCRIPTION": "OKRs and KPIs for Revenue Operations teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request and response shapes apart: computed fields only in responses, where every field is
    # required (always present); request bodies refuse unknown fields (common.schema).
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    # No online validator badge: the docs pages load nothing from outside this server.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "CycleStateEnum": "okrs.choices.CycleState",
        "ObjectiveStateEnum": "okrs.choices.ObjectiveState",
        "KeyResultKindEnum": "okrs.choices.KeyResultKind",
        "TeamKindEnum": "accounts.choices.TeamKind",
        "OkrStatusEnum": "okrs.choices.Status",
        "NotificationKindEnum": "notifications.choices.NotificationKind",
        "DiagnosticAreaEnum": "diagnostics.questions.AREA_KEYS",
    },
}

# Celery. Without REDIS_URL the broker is kombu's filesystem transport under var/, which needs no
# server; the in and out folders must be the same existing folder.
CELERY_FILESYSTEM_FOLDER = VAR_DIR / env("CELERY_FILESYSTEM_FOLDER", default="celery")
(CELERY_FILESYSTEM_FOLDER / "broker").mkdir(parents=True, exist_ok=True)
(CELERY_FILESYSTEM_FOLDER / "processed").mkdir(exist_ok=True)
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged within the visibility timeout is delivered again: it must be longer
    # than the longest task, or a slow run would be started twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + 30 * 60,
        # A publish (a request's outbox message) gives up quickly when Redis is down: the outbox keeps
        # the message and the sweeper sends it later.
        "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
        "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=10.0),
        "socket_keepalive": True,
        # Dead connections are noticed and replaced within this many seconds.
        "health_check_interval": env.int("CELERY_BROKER_HEALTH_CHECK_INTERVAL", default=10),
        "retry_on_timeout": True,
        # Retries of the connection used to publish (kombu's ensure_connection).
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_FOLDER / "broker"),
        "data_folder_out": str(CELERY_FILESYSTEM_FOLDER / "broker"),
        "processed_folder": str(CELERY_FILESYSTEM_FOLDER / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_FOLDER / "control"),
        "store_processed": False,
    }
# The worker survives broker outages: it retries the connection for ever (at start and after a loss),
# with growing pauses between tries, and cancels the tasks it was running when the connection dropped
# (those that acknowledge late are delivered again). Redis health checks (above) notice a dead link.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=1.0)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat writes each task's last run time at once (not every 3 minutes), so /readyz sees its last tick.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Queues by workload (README: Scaling out). With CELERY_QUEUES_BY_WORKLOAD=1, every process that sends
# tasks routes each kind of work to its own queue, so that a worker per queue (`docker compose --profile
# scale up`) keeps slow webhook receivers or a burst of mail from delaying the recomputations. Off (the
# default), every task goes to the default queue. Workers started by Rumbo read all of them either way.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_WORKLOAD_QUEUES = {
    "okrs.*": "recompute",
    "kpis.*": "recompute",
    "webhooks.*": "webhooks",
    "notifications.*": "notifications",
}
CELERY_ALL_QUEUES = ",".join(dict.fromkeys([CELERY_TASK_DEFAULT_QUEUE, *CELERY_WORKLOAD_QUEUES.values()]))
if env.bool("CELERY_QUEUES_BY_WORKLOAD", default=False):
    CELERY_TASK_ROUTES = {pattern: {"queue": queue} for pattern, queue in CELERY_WORKLOAD_QUEUES.items()}

# Webhooks: each delivery is tried up to WEBHOOK_MAX_ATTEMPTS times, waiting base, 2×base, 4×base…
# seconds (capped) between attempts; a receiver must answer within the timeout.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", default=60 * 60)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# The Celery queue of webhook tasks; a dedicated one (with its own worker: `celery worker -Q webhooks`)
# keeps slow receivers from delaying the recomputation.
WEBHOOK_CELERY_QUEUE = env("WEBHOOK_CELERY_QUEUE", default="celery")
# Outbound requests (chat channels, webhooks) refuse private, loopback, link-local, multicast and reserved
# addresses (common.net) except in these networks: comma-separated CIDRs, e.g. 10.0.0.0/8. Empty: none.
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[])
