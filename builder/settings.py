"""Stepwise settings: every value comes from the environment, with a safe default.

The embedded default (no variables set) keeps everything under STEPWISE_DATA_DIR:
SQLite databases, the file-system Celery broker, the cache and the secret key.
The scaled setup sets DATABASE_URL, CELERY_BROKER_URL and REDIS_URL.
The README has the table of settings; keep it in step with this file.
"""

from pathlib import Path

from cryptography.fernet import Fernet

from builder.envconfig import Env, load_or_create_secret_key

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent

STEPWISE_ENV = env.choice("STEPWISE_ENV", ["development", "production", "test"], "development")
PRODUCTION = STEPWISE_ENV == "production"
DATA_DIR = env.data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", "")
# Fernet keys for connection secrets, newest first (see builder/connections/crypto.py).
ENCRYPTION_KEYS = env.list("STEPWISE_ENCRYPTION_KEYS", [])
if PRODUCTION:
    env.require_production_safety(secret_key=SECRET_KEY, debug=DEBUG, encryption_keys=ENCRYPTION_KEYS)
else:
    SECRET_KEY = SECRET_KEY or load_or_create_secret_key(DATA_DIR / "secret_key")
    ENCRYPTION_KEYS = ENCRYPTION_KEYS or [
        load_or_create_secret_key(DATA_DIR / "encryption_key", lambda: Fernet.generate_key().decode())
    ]

# Outbound HTTP from recipes: private, loopback and link-local addresses are refused
# unless allowed here (see connectors/net.py).
ALLOW_PRIVATE_NETWORKS = env.bool("STEPWISE_ALLOW_PRIVATE_NETWORKS", False)
OUTBOUND_ALLOWLIST = env.list("STEPWISE_OUTBOUND_ALLOWLIST", [])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "builder.workspaces",
    "builder.connections",
    "builder.recipes",
    "builder.jobs",
    "builder.ops",
    "builder.apiplatform",
    "builder.triggers",
    "builder.library",
    "builder.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers static files itself: they keep their long cache.
    "builder.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "builder.urls"
WSGI_APPLICATION = "builder.wsgi.application"
ASGI_APPLICATION = "builder.asgi.application"

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
                "builder.workspaces.context.workspace_nav",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------

SQLITE_OPTIONS = {
    # WAL lets the web, worker and beat processes read while one writes;
    # IMMEDIATE takes the write lock at BEGIN so that concurrent writers queue
    # on busy_timeout instead of failing with "database is locked" mid-transaction.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = {"default": env.db("DATABASE_URL", f"sqlite:///{DATA_DIR / 'stepwise.sqlite3'}")}
# Connections are kept between requests and between a worker's tasks (builder/celery.py
# closes them around a task only when older than this, or broken): opening one cost a short
# job a quarter of its time on SQLite, with its PRAGMAs, and a round trip or more on PostgreSQL.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", 60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache (scaled); files and SQLite otherwise ------

REDIS_URL = env.str("REDIS_URL", "")
REDIS_PREFIX = env.str("STEPWISE_REDIS_PREFIX", "stepwise")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{REDIS_PREFIX}:asgi"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    if STEPWISE_ENV == "test":
        # In-process unit tests. The stack and browser tests run the real SQLite
        # layer in their subprocesses, which start in the development environment.
        CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        # No Redis: the web, websocket and worker processes exchange channel
        # messages through a SQLite file of their own, so that its polling never
        # contends with the main database's writers.
        INSTALLED_APPS.append("channels_lite")
        DATABASES["channels"] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "channels.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
        DATABASE_ROUTERS = ["builder.dbrouters.ChannelLayerRouter"]
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_lite.layers.core.SQLiteChannelLayer",
                "CONFIG": {"database": "channels", "polling_interval": 0.05},
            }
        }

# Where the pages open their websocket. Unset: the same origin, under /ws/ (a
# proxy splits by path). The embedded default serves websockets on a second port.
WS_PORT = env.int("STEPWISE_WS_PORT", 0) or None
WS_URL = env.str("STEPWISE_WS_URL", "")

# --- Celery ----------------------------------------------------------------

BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # How long an idle worker sleeps between looks at the folder: the latency of a queued
        # job, and, with a prefetch of 1, a cap on jobs/s (a pool process that finished finds
        # its next job only at the next look). A look is a listdir: 100 a second cost little.
        "polling_interval": 0.01,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Every key the broker writes carries our prefix, so that a shared Redis stays tidy.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_PREFIX}:celery:"}
CELERY_TASK_DEFAULT_QUEUE = env.str("STEPWISE_QUEUE", "stepwise")
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes every database connection around every task unless this is
# set, and then every this many tasks; builder/celery.py closes them when Django would.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
WORKER_HEARTBEAT_SECONDS = env.int("STEPWISE_WORKER_HEARTBEAT_SECONDS", 10)

# --- Jobs ------------------------------------------------------------------

JOB_LEASE_SECONDS = env.int("STEPWISE_JOB_LEASE_SECONDS", 60)
JOB_MAX_ATTEMPTS = env.int("STEPWISE_JOB_MAX_ATTEMPTS", 3)
JOB_TIMEOUT_SECONDS = env.int("STEPWISE_JOB_TIMEOUT_SECONDS", 3600)
JOB_RETENTION_DAYS = env.int("STEPWISE_JOB_RETENTION_DAYS", 30)
JOB_DATA_LIMIT = env.int("STEPWISE_JOB_DATA_LIMIT", 64 * 1024)
RECIPE_CONCURRENCY = env.int("STEPWISE_RECIPE_CONCURRENCY", 5)
REAPER_SECONDS = env.int("STEPWISE_REAPER_SECONDS", 30)

# --- API platform (the gateway under /apim/) ---------------------------------

GATEWAY_MAX_BODY_BYTES = env.int("STEPWISE_GATEWAY_MAX_BODY_BYTES", 1024 * 1024)
# Call log lines and sync jobs are written in batches by a thread of each web process.
GATEWAY_WRITE_BEHIND = env.bool("STEPWISE_GATEWAY_WRITE_BEHIND", True)
# How many proxies in front of the web processes append to X-Forwarded-For (0: use the peer address).
TRUSTED_PROXY_COUNT = env.int("STEPWISE_TRUSTED_PROXY_COUNT", 0)
CALL_LOG_RETENTION_DAYS = env.int("STEPWISE_CALL_LOG_RETENTION_DAYS", 30)
# Threads per web process for sync runs that may outlive their call (on_timeout=handover).
GATEWAY_HANDOVER_THREADS = env.int("STEPWISE_HANDOVER_THREADS", 8)
IDEMPOTENCY_HOURS = 24

# --- Event triggers -------------------------------------------------------------

WEBHOOK_MAX_BODY_BYTES = env.int("STEPWISE_WEBHOOK_MAX_BODY_BYTES", 1024 * 1024)
# Event ids (webhook deliveries, schedule ticks, polled items) are remembered this long.
TRIGGER_DEDUPE_DAYS = env.int("STEPWISE_TRIGGER_DEDUPE_DAYS", 7)
POLL_TIMEOUT_SECONDS = env.int("STEPWISE_POLL_TIMEOUT_SECONDS", 120)
POLL_MAX_FAILURES = env.int("STEPWISE_POLL_MAX_FAILURES", 5)

CELERY_BEAT_SCHEDULE = {
    "reap-jobs": {"task": "jobs.reap", "schedule": float(REAPER_SECONDS)},
    "prune-jobs": {"task": "jobs.prune", "schedule": 3600.0},
    "prune-api-calls": {"task": "apiplatform.prune", "schedule": 3600.0},
    "prune-trigger-events": {"task": "triggers.prune", "schedule": 3600.0},
}

# --- Auth, API -------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "builder.workspaces.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only, read by the platform's one strict reader: what the schema documents, and what
    # every database can store (a form could not carry null, numbers or nested objects anyway).
    "DEFAULT_PARSER_CLASSES": ["builder.api.parsers.StrictJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "builder.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "builder.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {"credentials": env.str("STEPWISE_TOKEN_RATE", "10/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Stepwise management API",
    "DESCRIPTION": "Manage workspaces, recipes, connections and the API platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies their own components: what a request may hold is not what an answer holds.
    "COMPONENT_SPLIT_REQUEST": True,
    # JSON bodies, the error shape and each operation's error answers, in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "builder.api.openapi.json_bodies_only",
        "builder.api.openapi.document_errors",
    ],
}

# --- Web -------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "builder.staticfiles.StaticFilesStorage"},
}
if STEPWISE_ENV == "test":
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env.choice("LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "filters": {"request_paths": {"()": "builder.accesslog.RequestLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # "Not Found: /hooks/<token>/": a webhook's URL is its secret.
        "django.request": {"filters": ["request_paths"]},
        "django.security": {"filters": ["request_paths"]},
    },
}
