"""Settings shared by every environment; every value comes from the environment.

Development defaults are safe and local (SQLite, eager Celery, console email);
`omdena.settings.production` refuses to start without the secrets it needs.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
CERTIFICATE_ISSUER = env("CERTIFICATE_ISSUER", default="Omdena")  # printed on certificates and sent to LinkedIn

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.slack",
    "audit",
    "collaborators",
    "challenges",
    "referrals",
    "activity",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "omdena.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "omdena.urls"
WSGI_APPLICATION = "omdena.wsgi.application"
ASGI_APPLICATION = "omdena.asgi.application"

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
                "django.template.context_processors.tz",
                "omdena.context_processors.platform",
            ],
        },
    },
]

# DATABASE_URL: SQLite file for the local run; PostgreSQL (psycopg 3) in tests, CI and production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "collaborators.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
SITE_ID = 1

# Internationalisation: collaborators come from 100+ countries; English first.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"  # stored in UTC; each user sees their own time zone (UserTimezoneMiddleware)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG  # the local run serves static/ without collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://omdena")}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Omdena Challenges <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# django-allauth: email as login, verified before first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_REDIRECT_URL = "profile_edit"
# Login, signup and password reset are throttled by allauth's rate limits (cache based).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_ADAPTER = "collaborators.auth_adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "collaborators.auth_adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_STORE_TOKENS = False

# GitHub and Slack (OpenID Connect) logins appear only when their client ids are configured.
GITHUB_OAUTH_CLIENT_ID = env("GITHUB_OAUTH_CLIENT_ID", default="")
GITHUB_OAUTH_SECRET = env("GITHUB_OAUTH_SECRET", default="")
SLACK_OAUTH_CLIENT_ID = env("SLACK_OAUTH_CLIENT_ID", default="")
SLACK_OAUTH_SECRET = env("SLACK_OAUTH_SECRET", default="")
SOCIALACCOUNT_PROVIDERS = {}
if GITHUB_OAUTH_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": GITHUB_OAUTH_CLIENT_ID, "secret": GITHUB_OAUTH_SECRET}],
        "SCOPE": ["read:user", "user:email"],
    }
if SLACK_OAUTH_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["slack"] = {
        "APPS": [{"client_id": SLACK_OAUTH_CLIENT_ID, "secret": SLACK_OAUTH_SECRET}],
    }

# Outside systems: base URLs come from settings so tests and the demo talk to local fakes.
GITHUB_API_URL = env("GITHUB_API_URL", default="https://api.github.com")
GITHUB_TOKEN = env("GITHUB_TOKEN", default="")
SLACK_API_URL = env("SLACK_API_URL", default="https://slack.com/api/")
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN", default="")

# Celery: Redis broker, JSON only, acknowledge after the task ran so a crash re-runs it.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# One paced queue per token (DESIGN.md, rate limits): every call to GitHub or Slack runs on the "integrations"
# queue, which production consumes with one worker process (docker-compose `worker-integrations`,
# concurrency 1) and a per-task rate limit, so syncs and invitations queue up instead of bursting.
CELERY_TASK_ROUTES = {
    "activity.tasks.sync_source": {"queue": "integrations"},
    "activity.tasks.run_onboarding_step": {"queue": "integrations"},
    "notifications.tasks.send_outbox_message": {"queue": "default"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ANNOTATIONS = {
    "activity.tasks.sync_source": {"rate_limit": env("SYNC_RATE_LIMIT", default="30/m")},
    "activity.tasks.run_onboarding_step": {"rate_limit": env("ONBOARDING_RATE_LIMIT", default="30/m")},
}
CELERY_BEAT_SCHEDULE: dict = {
    # Retry outbox messages whose next attempt is due (email or Slack was down, or rate limited).
    "outbox-send-due": {"task": "notifications.tasks.send_due_outbox", "schedule": 300.0},
    # Each interview starting within 24 hours gets one reminder; a sweep every 15 minutes sends it on time.
    "interview-reminders": {"task": "collaborators.tasks.send_interview_reminders", "schedule": 900.0},
    # Onboarding steps whose time has come: rate limits over, invitations deferred to a new day, people who may
    # have joined the Slack workspace since; also the safety net for lost task messages.
    "onboarding-due-steps": {"task": "activity.tasks.run_due_onboarding_steps", "schedule": 300.0},
    # Monday morning: leaders of active tasks whose report for last week is missing get one reminder.
    "report-reminders": {
        "task": "challenges.tasks.remind_missing_reports",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    # Activity syncs, every 15 minutes: sources whose retry is due (a rate limit over, a failure) and the weekly
    # syncs, each running challenge at its own minute of Monday 00:00-04:00 UTC (a hash of its id), so hundreds
    # of challenges never start at one tick (GitHub secondary limits, Slack's per-workspace buckets).
    "activity-sync-due-sources": {"task": "activity.tasks.sync_due_sources", "schedule": 900.0},
    # Monday 06:00 UTC: score and police the ISO week that ended at midnight UTC. Two hours after the last weekly
    # sync slot (00:00-04:00 above), so that week's GitHub and Slack events are stored; early enough that a warned
    # member keeps almost the whole new week to become active again before the removal date next Monday.
    "weekly-doocracy": {
        "task": "activity.tasks.weekly_doocracy",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "omdena.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
        "referral_check": env("API_THROTTLE_REFERRAL", default="10/minute"),
        "application_submit": env("API_THROTTLE_APPLICATION", default="10/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "omdena.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Omdena Challenges API",
    "DESCRIPTION": "Challenges, applications, memberships and activity of the challenge platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; name each set of choices after its enum, not a hash.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "collaborators.enums.ApplicationStatus",
        "ChallengeStatusEnum": "challenges.enums.ChallengeStatus",
        "RemovalReasonEnum": "collaborators.enums.RemovalReason",
        "MembershipStatusEnum": "collaborators.enums.MembershipStatus",
        "TaskStatusEnum": "challenges.enums.TaskStatus",
        "TaskCloseStatusEnum": [("done", "Done"), ("dropped", "Dropped")],
        "MeetingKindEnum": "challenges.enums.MeetingKind",
        "ChapterRoleEnum": "challenges.enums.ChapterRole",
        "MembershipRoleEnum": "collaborators.enums.MembershipRole",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo login passwords printed by seed_demo (local only).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-pass-2026")
