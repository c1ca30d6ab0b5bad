from django.urls import path

from therapists import accepting, profile_views

app_name = "profile"
urlpatterns = [
    path("", profile_views.dashboard, name="dashboard"),
    path("edit/", profile_views.edit_profile, name="edit"),
    path("quotes/<slug:modality_slug>/", profile_views.edit_quote, name="quote"),
    path("messages/", profile_views.messages_received, name="messages"),
    path(
        "messages/<int:message_id>/replied/",
        profile_views.mark_replied,
        name="message_replied",
    ),
    path(
        "messages/<int:message_id>/delete/",
        profile_views.delete_message,
        name="message_delete",
    ),
    path("accepting/<str:token>/", accepting.confirm, name="accepting"),
]
