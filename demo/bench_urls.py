"""The application's URLs and the benchmarks' bare ceilings (``demo.bench_views``): the URLconf of a
benchmark run (``BENCH_VIEWS=1``), never of a deployment."""

from django.urls import path

from config.urls import urlpatterns as application
from demo import bench_views

urlpatterns = [
    path("bench/bare/grid/<int:course_id>/", bench_views.bare_grid, name="bench_bare_grid"),
    path("bench/bare/save/", bench_views.bare_save, name="bench_bare_save"),
    path("bench/bare/week/<int:student_id>/", bench_views.bare_week, name="bench_bare_week"),
    path("bench/bare/monitoring/", bench_views.bare_monitoring, name="bench_bare_monitoring"),
    *application,
]
