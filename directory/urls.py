from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from directory import views
from directory.sitemaps import SITEMAPS
from therapists import match_views
from therapists.forms import EmailLoginForm, InviteeAwarePasswordResetForm

handler500 = "directory.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # An index of sections, each in pages of at most Sitemap.limit (50,000) URLs: the most
    # one sitemap file may hold. Both views are cached by the page cache, keyed by ?p=.
    path(
        "sitemap.xml",
        views.sitemap_index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml", views.sitemap_page, {"sitemaps": SITEMAPS}, name="sitemap_section"
    ),
    path("modalities/", include("modalities.urls")),
    path("therapists/", include("therapists.urls")),
    path("profile/", include("therapists.profile_urls")),
    path("match/", match_views.match, name="match"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailLoginForm),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=InviteeAwarePasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
