from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from aftersales import error_views
from aftersales.api import api, unknown_path
from aftersales.moved import api_forwards, redirects
from console.views.home import home

# The admin says the product's name, not "Django administration", in the reader's language.
admin.site.site_header = _("Aftersales administration")
admin.site.site_title = _("Aftersales administration")
admin.site.index_title = _("Master data and settings")

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # The API's root and anything under it that no operation has: the API's JSON 404, not the HTML page.
    re_path(r"^api/v1/$", unknown_path),
    path("api/v1/", include((api_forwards(), "api-moved"))),  # addresses from before the app prefixes
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", unknown_path),
    # Old addresses of moved pages first: "portal/labels/..." must not be read as a brand's portal.
    *redirects(),
    path("console/", include("console.urls")),
    path("portal/", include("portal.urls")),
    path("reports/", include("reports.urls")),
    path("field/", include("field.urls")),
    path("", include("integrations.urls")),
]

# The product's own error pages (templates/errors/): its layout, navigation and language; JSON under /api/.
handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error
