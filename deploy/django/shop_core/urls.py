from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views import defaults

from . import diagnostics
from .http import json_response, not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", diagnostics.healthz, name="healthz"),
    path("core/whoami", diagnostics.whoami, name="whoami"),
    path("core/redirect", diagnostics.redirect_home, name="redirect"),
    path("core/blob", diagnostics.blob, name="blob"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("shop.urls")),
]

# Machine paths answer errors in JSON, like FastAPI; pages keep Django's HTML error pages.
_JSON_PREFIXES = ("/api/", "/core/")


def handler404(request, exception):
    if request.path.startswith(_JSON_PREFIXES):
        return not_found()
    return defaults.page_not_found(request, exception)


def handler500(request):
    if request.path.startswith(_JSON_PREFIXES):
        return json_response({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
