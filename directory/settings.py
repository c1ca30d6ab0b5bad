"""Settings for the therapist directory, read from the environment.

With no DATABASE_URL the site runs on a SQLite file, so one command starts it anywhere.
With DEBUG off (the default) SECRET_KEY must be set and the production safeguards are on.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from directory.env import envbool, envint, envlist, envnetworks

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DEBUG=1 to run locally with a throwaway key."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "directory.views.csrf_failure"

INSTALLED_APPS = [
    "directory.apps.DirectoryAdminConfig",  # the admin under the site's name
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "kit",
    "modalities",
    "therapists",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First: URLs resolve in the active language (i18n_patterns), the page cache's included.
    "directory.editions.UrlLanguageMiddleware",
    # CSP and friends; above the page cache, so cached pages get them too.
    "directory.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before sessions: a cached page for an anonymous visitor needs nothing below.
    "directory.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change that django-simple-history keeps.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into the "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

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
            ],
        },
    },
]

# PostgreSQL in production (DATABASE_URL=postgres://...), a SQLite file otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'db.sqlite3')}",
        conn_max_age=envint("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# A database that stops answering gets the 503 page within seconds, never a hung worker
# (directory.postgresql). In a web request, a query may run this long before PostgreSQL
# cancels it, and one second more is the longest the request waits for any answer; 0
# turns both off. Management commands (migrate, the daily jobs) are never limited.
DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "directory.postgresql"
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    for _name, _value in {
        # A server that accepts connections and never completes the handshake.
        "connect_timeout": envint("DATABASE_CONNECT_TIMEOUT", 3),
        # A server that vanished (nothing acknowledged, as when its host is gone): the
        # kernel drops the connection, an idle one after about 25 s, one with data sent
        # and unacknowledged after 10 s. A command's long query is not cut: the server's
        # kernel acknowledges the probes while PostgreSQL works.
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,  # milliseconds
        "request_statement_timeout": DATABASE_STATEMENT_TIMEOUT,
    }.items():
        _options.setdefault(_name, _value)  # one given in DATABASE_URL's query wins
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASE_STATEMENT_TIMEOUT:
    # SQLite's way of not answering: another process holds the file's lock. Wait as long as
    # a request waits for PostgreSQL's answer (Python's default is 5 s), then 503.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "timeout", DATABASE_STATEMENT_TIMEOUT + 1
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Email. Invitations and password resets carry sign-in links, so with DEBUG off the site
# needs a real mail server (EMAIL_HOST) or an explicit EMAIL_BACKEND: the console backend
# would print live links into the server's log (directory.checks warns when it is chosen).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "smtp" if EMAIL_HOST else "console" if DEBUG else ""
)
if not EMAIL_BACKEND:
    raise ImproperlyConfigured(
        "EMAIL_HOST is not set. Set it (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to the SMTP "
        "server that sends invitations and password resets, or set EMAIL_BACKEND=console "
        "to print them, sign-in links included, to the server's log."
    )
# "smtp", "console", or a backend's dotted path.
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}.get(EMAIL_BACKEND, EMAIL_BACKEND)
# The folder the file-based backend writes emails to (Django's own default is none).
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "directory@localhost")
# A mail server that accepts and never answers costs the worker this long, never a request.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
# ...and this long for a whole email, against a server that answers a byte at a time.
EMAIL_SEND_DEADLINE = envint("EMAIL_SEND_DEADLINE", 60)

# The task queue (django-tasks): emails and other slow side effects leave the request as
# rows in the database, written in the request's own transaction, and `manage.py db_worker`
# runs them (kit.mail).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Every link in an email starts here, never at the Host a request named.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SITE_URL is not set. Set it to the site's public address, like "
            "https://directory.example.org: links in emails start there."
        )
    SITE_URL = "http://127.0.0.1:8000"
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname or _site[2:] != ("", "", ""):
    raise ImproperlyConfigured(
        f"SITE_URL={os.environ['SITE_URL']!r} is not the site's address; give scheme and "
        "host only, like https://directory.example.org."
    )

# Two editions: English at the root, Spanish under /es/ (directory.urls). The URL alone
# picks the language (directory.editions.UrlLanguageMiddleware): no cookie, no
# Accept-Language, so a page's address always shows the same page.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The site's own date and number formats for each edition (directory/formats/).
FORMAT_MODULE_PATH = ["directory.formats"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Therapists' photos (therapists.photos). On the app server's disk by default, which suits
# one server; with AWS_STORAGE_BUCKET_NAME set, in an S3-compatible bucket that every app
# server shares, read by browsers straight from the bucket (or AWS_S3_CUSTOM_DOMAIN). The
# credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, read by django-storages.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Pages hold the URLs for a long time (and caches longer): unsigned, so they last.
            "querystring_auth": False,
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
            # A photo's name is never reused (a new photo gets a new one), so a browser may
            # keep each file for ever.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
# An upload larger than this is refused before it is stored; a picture with more pixels
# than PHOTO_MAX_PIXELS is refused before it is decoded (a small file can unpack to
# gigabytes); one whose shorter side is under PHOTO_MIN_SIDE would look blurred.
# 13 megapixels takes a phone's 12-megapixel photo and keeps the worst upload within 1 s of
# CPU and 300 MB (a WebP decodes through about 16 bytes a pixel, a PNG costs in time what it
# has to unfilter): tests/test_photo_cost.py measures it.
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 13_000_000)
PHOTO_MIN_SIDE = 192
STORAGES = {
    "default": MEDIA_STORAGE,
    # Hashed names let browsers cache for a year; whitenoise serves the gzip/brotli copies.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Redis when REDIS_URL is set: one cache that every process and server shares. Without it
# only a per-process memory cache, which the page and count caches leave alone: an edit
# could not reach the other processes' copies (see modalities.versioned_cache).
REDIS_URL = os.environ.get("REDIS_URL", "")
# An unreachable Redis costs a request a fraction of a second, never a hang.
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
CACHES = {
    "default": {
        # Logs and goes on without the cache when Redis is down or full (directory.cache).
        "BACKEND": "directory.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": REDIS_OPTIONS,
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
PAGE_CACHE_ALIAS = "default"
# How long an anonymous page may be served from the shared cache; 0 turns the cache off.
# Edits invalidate pages within CONTENT_VERSION_CHECK_SECONDS, so this bounds only memory.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 600)
# Queries run at once (PostgreSQL) when a process builds the search index.
SEARCH_INDEX_BUILD_THREADS = envint("SEARCH_INDEX_BUILD_THREADS", 4)
# How often each process rereads the content version (a row in the database, moved by
# every public edit): another process may serve a page up to this much older than an edit.
CONTENT_VERSION_CHECK_SECONDS = envint("CONTENT_VERSION_CHECK_SECONDS", 1)

# A license verification is trusted for this many months, then shows in the re-check list.
LICENSE_VERIFICATION_MONTHS = envint("LICENSE_VERIFICATION_MONTHS", 12)
# Contact messages hold health information: delete_old_messages removes them after this.
MESSAGE_RETENTION_DAYS = envint("MESSAGE_RETENTION_DAYS", 90)
# The contact form's spam guards: a form sent sooner than this after it was shown is
# refused (people take longer), and so is a sixth message in a day from one email address
# or a twenty-first from one network (an IPv4 address or an IPv6 /64, kit.clients).
CONTACT_FORM_MIN_SECONDS = 3
CONTACT_MESSAGES_PER_EMAIL = 5
CONTACT_MESSAGES_PER_ADDRESS = 20
# Every limit below and above is counted by kit.limits, one table for all: an email address
# as its canonical mailbox (kit.limits.canonical_email), a network as kit.clients names it.
# Joining and claiming a listing, with the same guards. In a day: confirmation links to one
# address, and from one network; links to one listing's private address from each network
# (a stranger's requests never use up its owner's), and from one network to any listings;
# license numbers tried from one network, and matched at once for one listing (against
# guessing; a number for staff to check is matched by no one, so counts per network only).
JOIN_LINK_MAX_AGE_DAYS = 3
JOIN_LINKS_PER_EMAIL = 3
JOIN_LINKS_PER_ADDRESS = 10
CLAIM_LINKS_PER_LISTING = 3
CLAIM_LINKS_PER_ADDRESS = 10
CLAIM_NUMBER_TRIES_PER_ADDRESS = 5
CLAIM_NUMBER_TRIES_PER_LISTING = 5
# Find Your Match results kept (a day, for Back) per network in a day; past it, the matches
# are shown without being kept.
MATCH_RESULTS_PER_ADDRESS = 100
# Password reset links in a day: to one address (an account's or not), and from one network.
PASSWORD_RESETS_PER_EMAIL = 3
PASSWORD_RESETS_PER_ADDRESS = 10
# Photos one account may upload in a day (each upload costs the server a decode).
PHOTO_UPLOADS_PER_DAY = 10

DIRECTORY_PAGE_SIZE = envint("DIRECTORY_PAGE_SIZE", 20)
# How many specialists' quotes a modality page shows; the rest are a link away.
MODALITY_SPECIALISTS_SHOWN = envint("MODALITY_SPECIALISTS_SHOWN", 12)

# Production safeguards: on unless DEBUG, each one switchable for unusual deployments.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer probes the health check over plain HTTP: answer it, do not redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Only behind a proxy that strips X-Forwarded-Proto from clients and sets it itself.
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies whose X-Forwarded-For is believed (kit.clients.client_address); from any
# other address the header is whatever the client chose to send.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")
# Content-Security-Policy, Permissions-Policy, Cross-Origin-Resource-Policy: directory.security.

# Sign-in throttling (django-axes): five failed sign-ins for one account from one network
# (an IPv4 address, an IPv6 /64) pause that account there, and fifty from one network,
# whatever the accounts, pause the network, for 15 minutes; the site's form and the admin's
# alike. Never the account alone: anyone could then lock its owner out.
AXES_FAILURE_LIMIT = 5
SIGN_IN_ADDRESS_FAILURE_LIMIT = 50
# In this order: the handler reads the account+address count first, the address's second.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Retrying while locked out does not restart the 15 minutes the page promises.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in forgets that account's failures from there (only: see the handler).
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "directory.security.AccountResetHandler"
AXES_USERNAME_CALLABLE = "directory.security.account_name"
# The client as every limit names it: an IPv4 address, or an IPv6 /64 (kit.clients).
AXES_CLIENT_IP_CALLABLE = "kit.clients.client_network"
AXES_LOCKOUT_CALLABLE = "directory.security.locked_out"
# Failed attempts are kept until their cool-off ends; successful sign-ins are not logged.
AXES_DISABLE_ACCESS_LOG = True
# No "AXES: BEGIN ..." banner on every start: `check --deploy` prints nothing but its verdict.
AXES_VERBOSE = False

# No error report shows a posted value: a failure before a view runs would otherwise report
# a contact message, a password or a profile edit in full (see directory.error_reports).
DEFAULT_EXCEPTION_REPORTER_FILTER = "directory.error_reports.WithoutPostedValues"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "without_private_values": {"()": "directory.log_filters.WithoutPrivateValues"},
        "without_secret_links": {"()": "directory.log_filters.WithoutSecretLinks"},
    },
    # Every line of every logger goes through this handler and its filters: none holds a
    # signed link or a sign-in token, whoever wrote it (django.request, axes, a view), and
    # whoever turns on Django's SQL log (django.db.backends at DEBUG) never sees the values
    # of a contact message (health information), an account or a join or claim (addresses,
    # license numbers).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["without_private_values", "without_secret_links"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own handlers for its loggers (django.utils.log.DEFAULT_LOGGING: a console
    # with DEBUG on, runserver's request lines, emails to ADMINS) would write past the
    # filters: Django's loggers write through the one above instead.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # The same filters on the loggers that write these values most: a handler added at
        # run time (an error tracker's, pytest's) gets their lines cleaned too.
        "django.db.backends": {"filters": ["without_private_values"]},
        "django.request": {"filters": ["without_secret_links"]},
    },
}
