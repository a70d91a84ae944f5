"""Local run: SQLite file, tasks run in-process, email to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
WHITENOISE_USE_FINDERS = True

# The local run talks to the fake GitHub and Slack servers that `make run` starts (scripts/fake_services.py),
# never to the real services.
GITHUB_API_URL = env("GITHUB_API_URL", default="http://127.0.0.1:8201")
GITHUB_TOKEN = env("GITHUB_TOKEN", default="demo-token")
SLACK_API_URL = env("SLACK_API_URL", default="http://127.0.0.1:8202/api/")
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN", default="demo-token")
