from django.urls import path

from therapists import profile_views

app_name = "profile"
urlpatterns = [
    path("", profile_views.dashboard, name="dashboard"),
    path("edit/", profile_views.edit_profile, name="edit"),
    path("quotes/<slug:modality_slug>/", profile_views.edit_quote, name="quote"),
    path("messages/", profile_views.messages_received, name="messages"),
]
