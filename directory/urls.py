from django.contrib import admin
from django.urls import include, path

from directory import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("modalities/", include("modalities.urls")),
    path("therapists/", include("therapists.urls")),
    path("admin/", admin.site.urls),
]
