from django.urls import path

from reports.views import bound, documents, printouts, reports

app_name = "reports"

urlpatterns = [
    path("", documents.document_list, name="document_list"),
    path("<int:document_id>/", documents.document_status, name="document_status"),
    path("<int:document_id>/download/", documents.document_download, name="document_download"),
    path("classes/<int:class_id>/printouts/", printouts.class_printouts, name="class_printouts"),
    path("students/<int:student_id>/week.pdf", printouts.student_week_pdf, name="student_week_pdf"),
    path("bound/", bound.bound_index, name="bound_index"),
    path("bound/make/", bound.bound_make, name="bound_make"),
    path("bound/verify/", bound.bound_verify, name="bound_verify"),
    path("reports/", reports.report_index, name="report_index"),
    path("reports/<slug:code>/", reports.report_page, name="report_page"),
    path("reports/<slug:code>/make/", reports.report_make, name="report_make"),
    path("reports/<slug:code>/<str:fmt>/", reports.report_file, name="report_file"),
]
