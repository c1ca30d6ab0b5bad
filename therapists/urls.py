from django.urls import path

from therapists import contact, joining, views

app_name = "therapists"
urlpatterns = [
    path("", views.TherapistListView.as_view(), name="list"),
    # Before the landing pages, whose <state>/<city>/ and <state>/<city>/<modality>/ would
    # take them.
    path("<slug:slug>/contact/", contact.contact, name="contact"),
    path("<slug:slug>/contact/sent/", contact.contact_sent, name="contact_sent"),
    path("<slug:slug>/claim/", joining.claim, name="claim"),
    path("<slug:slug>/claim/sent/", joining.claim_sent, name="claim_sent"),
    path("<slug:slug>/claim/link-sent/", joining.claim_link_sent, name="claim_link_sent"),
    path("<slug:slug>/claim/confirm/<str:token>/", joining.claim_confirm, name="claim_confirm"),
    path("<str:state>/<slug:city>/", views.LandingPageView.as_view(), name="city"),
    path(
        "<str:state>/<slug:city>/<slug:modality>/",
        views.LandingPageView.as_view(),
        name="city_modality",
    ),
    path("<slug:slug>/", views.TherapistDetailView.as_view(), name="profile"),
]
