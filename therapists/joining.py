"""A therapist joins (/join/) or claims an unclaimed listing (/therapists/<slug>/claim/).

Both end in an Application waiting for staff; neither makes anything public nor links an
existing account. A join stores nothing until its address is confirmed: the emailed link
carries the request, signed, and only the confirmation page's POST (never a GET, which
mail scanners make) creates the account and the private listing. The public response to
a join is the same whatever the address: one that already has an account is told so by
email, not on the page.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kit.clients import client_network
from modalities.models import Modality
from modalities.translation import edition_language
from therapists.forms import (
    BoundedSetPasswordForm,
    ClaimForm,
    JoinForm,
    already_waiting,
    pending_claim,
    shown_at_token,
)
from therapists.invitations import InvitationError, clean_address, holds_address
from therapists.models import Application, City, Credential, License, Location, Therapist
from therapists.notifications import email, notify, site_link

JOIN_SALT = "therapists.joining.confirm-join"
CLAIM_SALT = "therapists.joining.confirm-claim"
LINK_MAX_AGE = settings.JOIN_LINK_MAX_AGE_DAYS * 24 * 60 * 60


def account_exists(address):
    """Whether any account, staff included, has this address or sign-in name."""
    return get_user_model().objects.filter(holds_address(address)).exists()


def link_used(address):
    """Whether a join link for this address can no longer make an account: one has it, or
    a join from it was confirmed already (its account since moved to another address)."""
    joined_from = Q(applications__kind=Application.Kind.JOIN, applications__email__iexact=address)
    return get_user_model().objects.filter(holds_address(address) | joined_from).exists()


def over_limit(form):
    return form.has_error(NON_FIELD_ERRORS, "limit")


@dataclass
class JoinRequest:
    """What a join asked for, as its confirmation link carries it."""

    name: str
    email: str
    credential: Credential
    state: str
    number: str
    city: City
    modalities: list

    @classmethod
    def from_form(cls, data):
        return cls(
            data["display_name"],
            data["email"],
            data["credential"],
            data["license_state"],
            data["license_number"],
            City.objects.get(pk=data["city"]),
            list(data["modalities"]),
        )

    def token(self):
        return signing.dumps(
            {
                "name": self.name,
                "email": self.email,
                "credential": self.credential.pk,
                "state": self.state,
                "number": self.number,
                "city": self.city.pk,
                "modalities": [modality.pk for modality in self.modalities],
            },
            salt=JOIN_SALT,
            compress=True,
        )

    @classmethod
    def from_token(cls, token):
        """The request the link carries; None if it was altered, has expired, or names
        what no longer exists (a credential or city removed since)."""
        try:
            data = signing.loads(token, salt=JOIN_SALT, max_age=LINK_MAX_AGE)
            return cls(
                data["name"],
                clean_address(data["email"]),
                Credential.objects.get(pk=data["credential"]),
                data["state"],
                data["number"],
                City.objects.get(pk=data["city"]),
                list(Modality.objects.published().filter(pk__in=data["modalities"])),
            )
        except (signing.BadSignature, InvitationError, KeyError, TypeError, ValueError):
            return None
        except (Credential.DoesNotExist, City.DoesNotExist):
            return None

    def create(self, password):
        """The account, its private listing and the join waiting for staff, in one
        transaction; None if an account with this address exists (the link used twice).
        Another join of the same name confirmed at the same moment may take the slug first:
        then the next free one is taken."""
        for _attempt in range(SLUG_ATTEMPTS - 1):
            try:
                return self.create_once(password)
            except SlugTaken:
                continue
        return self.create_once(password)

    def create_once(self, password):
        User = get_user_model()
        slug = free_slug(self.name)
        try:
            with transaction.atomic():
                if link_used(self.email):
                    return None
                user = User.objects.create_user(self.email, self.email, password)
                therapist = Therapist.objects.create(
                    display_name=self.name,
                    slug=slug,
                    is_listed=False,
                    user=user,
                    language=edition_language(),
                )
                License.objects.create(
                    therapist=therapist,
                    credential=self.credential,
                    state=self.state,
                    number=self.number,
                    is_primary=True,
                )
                Location.objects.create(therapist=therapist, city=self.city, is_primary=True)
                therapist.modalities.set(self.modalities)
                Application.objects.create(
                    kind=Application.Kind.JOIN,
                    evidence=Application.Evidence.ADDRESS_CONFIRMED,
                    therapist=therapist,
                    email=self.email,
                    user=user,
                    language=therapist.language,
                )
        except IntegrityError as error:
            if account_exists(self.email):  # the same link confirmed twice at once
                return None
            if Therapist.objects.filter(slug=slug).exists():
                raise SlugTaken from error
            raise
        return user


# Tries at a free slug before a confirmation gives up: each loses only to a join committed
# between its look and its insert.
SLUG_ATTEMPTS = 5


class SlugTaken(Exception):
    """The slug picked was taken by another listing before this one was saved."""


def free_slug(name):
    """The name's slug, numbered if another listing has it ("ada-lee-2")."""
    base = slugify(name)[:200] or "therapist"
    taken = set(Therapist.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    number, slug = 1, base
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def send_join_link(join_request):
    """The confirmation link, or, to an address that has an account, how to sign in."""
    if account_exists(join_request.email):
        return email(
            "join_account_exists",
            join_request.email,
            "a join request",
            login_link=site_link("login"),
            reset_link=site_link("password_reset"),
        )
    return email(
        "join_confirm",
        join_request.email,
        "a join request",
        name=join_request.name,
        link=site_link("join_confirm", kwargs={"token": join_request.token()}),
        days=settings.JOIN_LINK_MAX_AGE_DAYS,
    )


def invalid_link(request, claimed=None):
    """The page for a join's link, or (with `claimed`, the listing) a claim's, that does not
    work: it offers to ask again for the same thing."""
    context = {"days": settings.JOIN_LINK_MAX_AGE_DAYS, "claimed": claimed}
    return render(request, "therapists/join_link_invalid.html", context, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    form = JoinForm(request.POST or None, network=client_network(request))
    if form.is_valid():
        # Queued with the request's record (kit.mail): the page waits on no mail server.
        send_join_link(JoinRequest.from_form(form.cleaned_data))
        return redirect("join_sent")
    context = {"form": form, "shown_at": shown_at_token(JoinForm.shown_for)}
    return render(request, "therapists/join.html", context, status=form_status(form))


def form_status(form):
    """429 for a form refused by its limits."""
    return 429 if over_limit(form) else 200


@require_http_methods(["GET", "HEAD"])
def join_sent(request):
    return render(request, "therapists/join_sent.html", {"days": settings.JOIN_LINK_MAX_AGE_DAYS})


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def join_confirm(request, token):
    join_request = JoinRequest.from_token(token)
    if join_request is None:
        return invalid_link(request)
    if link_used(join_request.email):
        return render(request, "therapists/join_already.html")
    User = get_user_model()
    form = BoundedSetPasswordForm(
        User(username=join_request.email, email=join_request.email), request.POST or None
    )
    if form.is_valid():
        user = join_request.create(form.cleaned_data["new_password1"])
        if user is None:
            return render(request, "therapists/join_already.html")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _(
                "Your account is created. Complete your listing here; it stays private until "
                "staff have verified your license and approved it."
            ),
        )
        return redirect("profile:edit")
    return render(request, "therapists/join_confirm.html", {"join": join_request, "form": form})


def claimable(slug):
    """A public listing that is not a demo (a claimed one too: its page says so)."""
    return get_object_or_404(Therapist.objects.claimable(), slug=slug)


def claim_application(therapist, address, evidence, **license_given):
    """The claim waiting for staff; None if one from this address already waits."""
    try:
        with transaction.atomic():
            return Application.objects.create(
                kind=Application.Kind.CLAIM,
                therapist=therapist,
                email=address,
                evidence=evidence,
                language=edition_language(),
                **license_given,
            )
    except IntegrityError:
        if pending_claim(therapist, address).exists():
            return None
        raise


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def claim(request, slug):
    therapist = claimable(slug)
    if therapist.user_id:
        status = 409 if request.method == "POST" else 200
        return render(
            request, "therapists/claim_taken.html", {"therapist": therapist}, status=status
        )
    form = ClaimForm(request.POST or None, therapist=therapist, network=client_network(request))
    if form.is_valid():
        address = form.cleaned_data["email"]
        if not form.by_number:
            # Offered only where the listing has a private address; queued (kit.mail).
            send_claim_link(therapist, address)
            return redirect("therapists:claim_link_sent", slug=slug)
        elif not form.number_matches():
            form.wrong_number()
        elif claim_application(therapist, address, **form.evidence()):
            return redirect("therapists:claim_sent", slug=slug)
        else:
            form.add_error(None, already_waiting())
    context = {"therapist": therapist, "form": form, "shown_at": shown_at_token(form.shown_for)}
    return render(request, "therapists/claim.html", context, status=form_status(form))


def send_claim_link(therapist, address):
    token = signing.dumps({"listing": therapist.pk, "email": address}, salt=CLAIM_SALT)
    return notify(
        therapist,
        "claim_confirm",
        to=therapist.contact_email,
        # In the claimant's edition: they asked for it, and they are the one to open it.
        language=edition_language(),
        claimant=address,
        link=site_link("therapists:claim_confirm", kwargs={"slug": therapist.slug, "token": token}),
        days=settings.JOIN_LINK_MAX_AGE_DAYS,
    )


@require_http_methods(["GET", "HEAD"])
def claim_link_sent(request, slug):
    return render(
        request,
        "therapists/claim_link_sent.html",
        {"therapist": claimable(slug), "days": settings.JOIN_LINK_MAX_AGE_DAYS},
    )


@require_http_methods(["GET", "HEAD"])
def claim_sent(request, slug):
    return render(request, "therapists/claim_sent.html", {"therapist": claimable(slug)})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def claim_confirm(request, slug, token):
    """The link sent to the listing's private address: its POST (never the GET, which mail
    scanners make) puts the claim before staff."""
    therapist = claimable(slug)
    try:
        data = signing.loads(token, salt=CLAIM_SALT, max_age=LINK_MAX_AGE)
        address = clean_address(data["email"])
        valid = data["listing"] == therapist.pk
    except (signing.BadSignature, InvitationError, KeyError, TypeError, ValueError):
        valid = False
    if not valid:
        return invalid_link(request, claimed=therapist)
    if therapist.user_id:
        return render(request, "therapists/claim_taken.html", {"therapist": therapist})
    waiting = pending_claim(therapist, address).exists()
    if request.method == "POST" and not waiting:
        if claim_application(therapist, address, Application.Evidence.LISTING_ADDRESS):
            return redirect("therapists:claim_sent", slug=slug)
        waiting = True
    context = {"therapist": therapist, "claimant": address, "waiting": waiting}
    return render(request, "therapists/claim_confirm.html", context)
