from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from aftersales.api import api, unknown_path
from console import views as console_views

urlpatterns = [
    path("", console_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # The API's root and anything under it that no operation has: the API's JSON 404, not the HTML page.
    re_path(r"^api/v1/$", unknown_path),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", unknown_path),
    path("console/leads/", include("revenue.console_urls")),
    path("console/dispatch/", include("dispatch.urls")),
    path("console/", include("console.urls")),
    path("notifications/", include("notifications.urls")),
    path("portal/", include("portal.urls")),
    path("field/earnings/", include("revenue.field_urls")),
    path("reports/", include("reports.urls")),
    path("field/", include("field.urls")),
    path("parts/", include("parts.urls")),
    path("", include("integrations.urls")),
]
