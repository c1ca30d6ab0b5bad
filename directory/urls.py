from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from directory import views
from directory.sitemaps import SITEMAPS
from therapists import joining, match_views, password_reset, photo_views
from therapists.forms import (
    AdminLoginForm,
    BoundedPasswordChangeForm,
    BoundedSetPasswordForm,
    EmailLoginForm,
)

# The site's own pages for errors, none of which needs the database (directory.views).
handler400 = "directory.views.bad_request"
handler403 = "directory.views.permission_denied"
handler404 = "directory.views.page_not_found"
handler500 = "directory.views.server_error"
admin.site.login_form = AdminLoginForm

# Operations, search engines, photos and the curators' admin: one address each, in English.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
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
    # Approved photos, when they are stored on this server's disk (therapists.photos).
    re_path(
        r"^media/photos/(?P<token>[0-9a-f]{32})-(?P<size>96|192|384)\.webp$",
        photo_views.serve_photo,
        name="photo",
    ),
    path("admin/", admin.site.urls),
]

# Every page a person reads, in each edition: English at the root, Spanish under /es/
# (directory.editions).
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("modalities/", include("directory.modality_pages")),
    path("therapists/", include("therapists.urls")),
    path("profile/", include("therapists.profile_urls")),
    path("match/", match_views.match, name="match"),
    path("match/results/<str:key>/", match_views.results, name="match_results"),
    path("join/", joining.join, name="join"),
    path("join/sent/", joining.join_sent, name="join_sent"),
    path("join/confirm/<str:token>/", joining.join_confirm, name="join_confirm"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailLoginForm),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    # Django's other auth views, spelled out (not included) so that each is served once,
    # with forms whose password fields are bounded too.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=BoundedPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=BoundedSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    prefix_default_language=False,
)
