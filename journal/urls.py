from django.urls import include, path

from journal.views import pages

app_name = "journal"

urlpatterns = [
    path("courses/", pages.course_list, name="course_list"),
    path("courses/<int:course_id>/", pages.course_detail, name="course_detail"),
    path("classes/", pages.class_list, name="class_list"),
    path("classes/<int:class_id>/", pages.class_detail, name="class_detail"),
    path("students/<int:student_id>/", pages.student_detail, name="student_detail"),
    # Planning (each module lists its own routes).
    path("", include("journal.views.timetable")),
    path("", include("journal.views.plans")),
    path("", include("journal.views.lessons")),
    path("", include("journal.views.homework")),
    # The journal itself: the course grid, final marks, policy.
    path("", include("journal.views.grid")),
    path("", include("journal.views.finals")),
]
