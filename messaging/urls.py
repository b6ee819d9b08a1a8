from __future__ import annotations

from django.urls import path

from messaging.views import pages

app_name = "messaging"

urlpatterns = [
    path("", pages.inbox, name="inbox"),
    path("new/", pages.compose, name="compose"),
    path("<int:thread_id>/", pages.thread, name="thread"),
    path("classes/<int:class_id>/announce/", pages.announce, name="announce"),
    path("notifications/", pages.notifications, name="notifications"),
    path("notifications/read/", pages.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/", pages.notification_open, name="notification_open"),
    path("badge/", pages.badge, name="badge"),
    path("preferences/", pages.preferences, name="preferences"),
]
