from django.urls import include, path

from accounts.views import set_language
from core.admin_site import school_admin
from core.health import health
from core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", school_admin.urls),
    path("", include("journal.urls")),
    path("diary/", include("diary.urls")),
    path("messages/", include("messaging.urls")),
    path("documents/", include("reports.urls")),
    path("monitoring/", include("monitoring.urls")),
]
handler500 = "core.views.server_error"
