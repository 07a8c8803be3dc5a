"""Settings shared by every environment.

Everything that differs between machines comes from the environment, with defaults
that are safe for one person trying Liaison on their own computer.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("LIAISON_DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A fixed key is only acceptable for local use; production.py refuses to start without one.
SECRET_KEY = os.environ.get("LIAISON_SECRET_KEY", "local-only-insecure-key-change-me")
DEBUG = env_bool("LIAISON_DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "axes",
    "liaison.core",
    "liaison.customers",
    "liaison.stock",
    "liaison.orders",
    "liaison.production",
    "liaison.quality",
    "liaison.communications",
    "liaison.documents",
    "liaison.satisfaction",
    "liaison.reviews",
    "liaison.records",
    "liaison.security",
    "liaison.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liaison.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "liaison.security.middleware.RefusedAccessLogMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "liaison" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'liaison.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compiling: our queries are short and many; PostgreSQL's JIT cost estimate is
    # fooled by annotated CASE/EXISTS queries and spent seconds compiling them (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's model backend, reading the user's roles with their group permissions (one query for both).
    "liaison.core.roles.RoleModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = reverse_lazy("admin:login")
LOGIN_REDIRECT_URL = reverse_lazy("admin:index")

# Login throttling (django-axes): 5 failed sign-ins for one user name from one address lock
# that pair out for 15 minutes; every attempt is kept in axes' access log.
AXES_FAILURE_LIMIT = int(os.environ.get("LIAISON_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LIAISON_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "liaison.security.client.client_ip"
AXES_LOCKOUT_CALLABLE = "liaison.security.views.lockout"
# production.py sets it from the environment; the client's address then comes from X-Forwarded-For.
LIAISON_BEHIND_PROXY = False

# Where customers reach this installation: the base of the private survey links sent by e-mail.
LIAISON_PUBLIC_URL = os.environ.get("LIAISON_PUBLIC_URL", "http://127.0.0.1:8000")
# Where the disposal job writes the archives of records past retention.
LIAISON_ARCHIVE_DIR = os.environ.get("LIAISON_ARCHIVE_DIR", str(DATA_DIR / "archive"))
# A queued job RUNNING longer than this lost its task worker and is put back by the scheduler (minutes).
LIAISON_TASK_STALE_MINUTES = int(os.environ.get("LIAISON_TASK_STALE_MINUTES", "360"))

# Content-Security-Policy (Django's own middleware): nothing is loaded from elsewhere.
# unfold's Alpine.js needs 'unsafe-eval' and its components set inline styles; our own
# inline scripts carry the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.UNSAFE_EVAL, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# The procedure is written in Traditional Chinese; that is the default language.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "liaison" / "locale"]
TIME_ZONE = os.environ.get("LIAISON_TIME_ZONE", "Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "liaison" / "static"]
STATIC_ROOT = Path(os.environ.get("LIAISON_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("LIAISON_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Mail (Django 6.1 MAILERS). With no EMAIL_HOST set, mail is printed to the console.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if os.environ.get("EMAIL_HOST")
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
        }
        if os.environ.get("EMAIL_HOST")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "liaison@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Attachments: scans, photos and PDFs only.
LIAISON_ATTACHMENT_MAX_BYTES = int(os.environ.get("LIAISON_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["liaison.core.drf.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "liaison.core.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liaison API",
    "DESCRIPTION": "Customer Communication Procedure (客戶溝通程序) API.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields named alike ("status", "channel", "kind") carry different choices per record.
    "ENUM_NAME_OVERRIDES": {
        "OrderChannelEnum": "liaison.orders.states.OrderChannel",
        "OrderStatusEnum": "liaison.orders.states.OrderStatus",
        "ReviewRoundStatusEnum": "liaison.orders.states.ReviewRoundStatus",
        "ChangeStatusEnum": "liaison.orders.states.ChangeStatus",
        "ChangeKindEnum": "liaison.orders.states.ChangeKind",
        "NoticeStatusEnum": "liaison.production.states.NoticeStatus",
        "CommunicationChannelEnum": "liaison.communications.states.CommunicationChannel",
        "DirectionEnum": "liaison.communications.states.Direction",
        "MoveDirectionEnum": "liaison.stock.states.MoveDirection",
        "DepartmentKindEnum": "liaison.core.states.DepartmentKind",
        "ComplaintKindEnum": "liaison.quality.states.ComplaintKind",
        "FeedbackKindEnum": "liaison.quality.states.FeedbackKind",
        "CapaKindEnum": "liaison.quality.states.CapaKind",
    },
    # The schema and its docs describe every endpoint: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation documents its refusals (400/401/403/404/409) in the Liaison error format.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "liaison.security.schema.document_refusals",
    ],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Import and export need their own permissions (e.g. customers.import_customer).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# A cell typed as "=HYPERLINK(...)" by a customer must not run as a formula in Excel.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIAISON_LOG_LEVEL", "INFO")},
}

UNFOLD = {
    "SITE_TITLE": _("Liaison"),
    "SITE_HEADER": _("Liaison"),
    "SITE_SUBHEADER": _("Customer Communication Procedure"),
    "SITE_URL": "/",
    "SITE_SYMBOL": "forum",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_LANGUAGES": True,
    "LANGUAGES": {"action": reverse_lazy("account-language")},
    "DASHBOARD_CALLBACK": "liaison.workspace.dashboard.dashboard_callback",
    "STYLES": [lambda request: static("liaison/liaison.css")],
    "COLORS": {
        "primary": {
            "50": "oklch(97.7% .013 236.62)",
            "100": "oklch(95.1% .026 236.824)",
            "200": "oklch(90.1% .058 230.902)",
            "300": "oklch(82.8% .111 230.318)",
            "400": "oklch(74.6% .16 232.661)",
            "500": "oklch(68.5% .169 237.323)",
            "600": "oklch(58.8% .158 241.966)",
            "700": "oklch(50% .134 242.749)",
            "800": "oklch(44.3% .11 240.79)",
            "900": "oklch(39.1% .09 240.876)",
            "950": "oklch(29.3% .066 243.157)",
        },
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "liaison.workspace.sidebar.sidebar",
    },
}
