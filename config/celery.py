from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("eljournal")
# Only CELERY_* settings are read; serializers and time limits live there.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
