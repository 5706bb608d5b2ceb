from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from accounts import email_page
from accounts import sign_in as sign_in_views
from accounts import views as account_views
from bcbt import about
from bcbt.health import healthz
from operations.metrics import metrics

admin.site.site_header = "bcbt service administration"
admin.site.site_title = "bcbt admin"
# Staff sign in through allauth, where lockout and two-step verification apply, never through
# the admin's own password-only form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# The API schema and its docs are public so that app developers can read them; every endpoint
# they describe still needs a token.
schema_view = login_not_required(SpectacularAPIView.as_view(permission_classes=[AllowAny]))
docs_view = login_not_required(
    SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[AllowAny])
)

urlpatterns = [
    # The API first: the phone app's calls are most of the traffic, and Django tries the
    # patterns in order (no other pattern starts with api/v1/).
    path("api/v1/", include("bcbt.api_urls")),
    path("", account_views.home, name="home"),
    path("help/", account_views.help_page, name="help"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("about/", include("bcbt.about")),
    path("manifest.webmanifest", about.web_manifest, name="web-manifest"),
    path("sw.js", about.service_worker, name="service-worker"),
    path("admin/", admin.site.urls),
    # Before allauth: the pages that email a sign-in code or a reset link say so when the
    # email provider refuses, instead of failing.
    path("accounts/login/code/", sign_in_views.request_login_code),
    path("accounts/password/reset/", sign_in_views.password_reset),
    # Before allauth: the code confirmation page, wrapped to explain an expired or spent code.
    path("accounts/login/code/confirm/", sign_in_views.confirm_login_code),
    # Setting up the authenticator app counts as giving the second factor for this session.
    path("accounts/2fa/totp/activate/", sign_in_views.activate_totp),
    # Never an unverified address as the account's address, and the old address is told.
    path("accounts/email/", email_page.email),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("clinician.urls")),
    path("", include("patients.urls")),
    path("", include("measures.urls")),
    path("", include("safety.urls")),
    path("", include("modules.urls")),
    path("", include("exports.urls")),
    path("", include("console.urls")),
    path("notifications/", include("notifications.urls")),
    path("unsubscribe/", include("notifications.unsubscribe_urls")),
    path("mood/", include("moodlog.urls")),
    path("api/schema/", schema_view, name="schema"),
    path("api/docs/", docs_view, name="api-docs"),
]

# Bodies refused before a view runs (a body over the size limit) answer JSON under /api/.
handler400 = "bcbt.api_errors.bad_request_view"
