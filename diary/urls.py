from __future__ import annotations

from django.urls import path

from diary.views import classes, events, pages

app_name = "diary"

urlpatterns = [
    path("", pages.index, name="index"),
    path("students/<int:student_id>/", pages.week, name="week"),
    path("students/<int:student_id>/acknowledge/", pages.acknowledge, name="acknowledge"),
    path("students/<int:student_id>/subjects/", pages.subjects, name="subjects"),
    path("students/<int:student_id>/subjects/<int:course_id>/", pages.subject, name="subject"),
    path("students/<int:student_id>/attendance/", pages.attendance, name="attendance"),
    path("students/<int:student_id>/files/<int:file_id>/", pages.homework_file, name="homework_file"),
    path("classes/<int:class_id>/acknowledgements/", classes.acknowledgements, name="acknowledgements"),
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create_view, name="event_create"),
    path("events/<int:event_id>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:event_id>/delete/", events.event_delete_view, name="event_delete"),
]
