from django.urls import path

import directory.converters  # noqa: F401 (registers <id:...>)
from therapists import accepting, photo_views, profile_views

app_name = "profile"
urlpatterns = [
    path("", profile_views.dashboard, name="dashboard"),
    path("edit/", profile_views.edit_profile, name="edit"),
    path("photo/", photo_views.photo_page, name="photo"),
    path("photo/<id:pk>/remove/", photo_views.remove_photo, name="remove_photo"),
    path("photo/<id:pk>/<int:size>.webp", photo_views.own_photo, name="own_photo"),
    path("quotes/<slug:modality_slug>/", profile_views.edit_quote, name="quote"),
    path(
        "quotes/<slug:modality_slug>/es/",
        profile_views.edit_quote,
        {"language": "es"},
        name="quote_es",
    ),
    path("messages/", profile_views.messages_received, name="messages"),
    path(
        "messages/<id:message_id>/replied/",
        profile_views.mark_replied,
        name="message_replied",
    ),
    path(
        "messages/<id:message_id>/delete/",
        profile_views.delete_message,
        name="message_delete",
    ),
    path("accepting/<str:token>/", accepting.confirm, name="accepting"),
]
