from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.school_dashboard, name="dashboard"),
    path("classes/<int:class_id>/", views.class_dashboard, name="class_dashboard"),
    path("teachers/<int:teacher_id>/", views.teacher_week, name="teacher_week"),
    path("checks/", views.check_list, name="checks"),
    path("checks/<int:check_id>/fixed/", views.check_fixed, name="check_fixed"),
    path("checks/mine/", views.my_checks, name="my_checks"),
]
