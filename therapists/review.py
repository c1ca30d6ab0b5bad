"""Staff decisions on what therapists submit: quotes, photos, joins and claims.

Each decision applies only to an item still waiting (a guarded UPDATE), so two reviewers
or a double click decide once, and only to the text the reviewer read (quotes carry the
draft's version). The therapist's email is queued in the decision's own transaction
(kit.mail): it goes out only if the decision commits, and no decision waits on a mail
server while it holds a lock.

Deciding a join or claim locks the listing first, then the applications: two reviewers
approving rival claims of one listing wait in turn instead of deadlocking, and the second
finds its claim decided.
"""

import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from therapists.invitations import InvitationError, invite
from therapists.models import Application, Photo, Quote, ReviewStatus, Therapist
from therapists.notifications import notify, site_link


class ReviewRefused(Exception):
    """The decision cannot be made as asked; nothing was changed. The message says why."""


def waiting_counts():
    """{"quote": n, "photo": n, "join": n, "claim": n}: what waits for staff, in 3 queries."""
    applications = Application.objects.pending().aggregate(
        join=Count("pk", filter=Q(kind=Application.Kind.JOIN)),
        claim=Count("pk", filter=Q(kind=Application.Kind.CLAIM)),
    )
    return {
        "quote": Quote.objects.pending().count(),
        "photo": Photo.objects.pending().count(),
        **applications,
    }


def tell(therapist, kind, **context):
    """Queues the notice in the decision's transaction: a rolled-back one tells nobody."""
    notify(therapist, kind, **context)


# Quotes ---------------------------------------------------------------------------------


def tell_quote_decisions(reviewer, seen, now, kind):
    decided = Quote.objects.filter(pk__in=seen, reviewed_by=reviewer, reviewed_at=now)
    for quote in decided.select_related("therapist__user", "modality"):
        link = site_link(quote.edit_url_name, kwargs={"modality_slug": quote.modality.slug})
        tell(
            quote.therapist,
            kind,
            modality=quote.modality,
            quote_language=quote.language_name,
            link=link,
            reason=quote.review_reason,
        )


def approve_quotes(quotes, reviewer, seen):
    """Makes the drafts the reviewer read live (QuoteQuerySet.approve); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        approved = quotes.approve(reviewer, seen, now=now)
        tell_quote_decisions(reviewer, seen, now, "quote_approved")
    return approved


def send_back_quotes(quotes, reviewer, reason, seen):
    now = timezone.now()
    with transaction.atomic():
        sent_back = quotes.send_back(reviewer, reason, seen, now=now)
        tell_quote_decisions(reviewer, seen, now, "quote_sent_back")
    return sent_back


# Photos ---------------------------------------------------------------------------------


def approve_photo(photo, reviewer):
    """Shows the photo on the listing; False if it was decided already."""
    with transaction.atomic():
        if not Photo.objects.decide(photo.pk, reviewer, ReviewStatus.APPROVED):
            return False
        therapist = Therapist.objects.select_related("user").get(pk=photo.therapist_id)
        therapist.photo_id = photo.pk
        # Only the shown photo is written; its post_save refreshes search index and pages.
        therapist.save(update_fields=["photo"])
        tell(therapist, "photo_approved", link=site_link("profile:edit"))
    return True


def send_back_photo(photo, reviewer, reason):
    with transaction.atomic():
        if not Photo.objects.decide(photo.pk, reviewer, ReviewStatus.SENT_BACK, reason):
            return False
        therapist = Therapist.objects.select_related("user").get(pk=photo.therapist_id)
        tell(therapist, "photo_sent_back", reason=reason, link=site_link("profile:edit"))
    return True


# Joins and claims -----------------------------------------------------------------------


def tell_applicant(application, kind, **context):
    """In the edition the request was made in: the applicant's, whatever the listing's."""
    tell(
        application.therapist,
        kind,
        to=application.email,
        language=application.language,
        **context,
    )


def checked_identity(application, identity_check):
    """The reviewer's note of how they reached the licensee, which a join or a claim by
    license number needs before approval (Application.needs_identity_check). Invisible
    characters (a zero-width space) are no note."""
    identity_check = "".join(
        character for character in identity_check if unicodedata.category(character) != "Cf"
    ).strip()
    if application.needs_identity_check and not identity_check:
        raise ReviewRefused(
            _(
                "A name and a license number are public: they show only that the applicant "
                "read them. Reach the licensee through the contact their state board lists, "
                "then note how."
            )
        )
    return identity_check


def lock_listing(application):
    """The application's listing, locked until the decision commits: always taken before
    any application row, so that decisions on one listing queue rather than deadlock."""
    return Therapist.objects.select_for_update().get(pk=application.therapist_id)


def approve_join(application, reviewer, source, identity_check=""):
    """Records the licenses as verified at `source` (the state board's lookup page), keeps
    the reviewer's note of how they reached the licensee, and lists the listing; False if
    the join was decided already."""
    identity_check = checked_identity(application, identity_check)
    with transaction.atomic():
        therapist = lock_listing(application)
        if not Application.objects.decide(application.pk, reviewer, ReviewStatus.APPROVED):
            return False
        Application.objects.filter(pk=application.pk).update(identity_check=identity_check)
        if not therapist.licenses.mark_verified(reviewer, source):
            raise ReviewRefused(
                _("%(name)s has no license to verify: add it before approving.")
                % {"name": therapist}
            )
        therapist.is_listed = True
        therapist.save(update_fields=["is_listed", "updated_at"])
        tell_applicant(
            application,
            "join_approved",
            link=site_link("therapists:profile", kwargs={"slug": therapist.slug}),
        )
    return True


def send_back(application, reviewer, reason, kind, link):
    """Sends a join or claim back with the reason; nothing else changes."""
    with transaction.atomic():
        lock_listing(application)
        if not Application.objects.decide(application.pk, reviewer, ReviewStatus.SENT_BACK, reason):
            return False
        tell_applicant(application, kind, reason=reason, link=link)
    return True


def send_back_join(application, reviewer, reason):
    # The applicant has an account (made when they confirmed their address): their profile.
    return send_back(application, reviewer, reason, "join_sent_back", site_link("profile:edit"))


def send_back_claim(application, reviewer, reason):
    link = site_link("therapists:profile", kwargs={"slug": application.therapist.slug})
    return send_back(application, reviewer, reason, "claim_sent_back", link)


def record_license_number(therapist, application):
    """The number staff checked, on the listing's license in that state (the primary one
    first) if it has none; its verification is left as it is."""
    license = (
        therapist.licenses.filter(state=application.license_state, number="")
        .order_by("-is_primary", "id")
        .first()
    )
    if license is not None and application.license_number:
        license.number = application.license_number
        license.save(update_fields=["number"])


def approve_claim(application, reviewer, identity_check="", notice="claim_approved"):
    """Links the claimant's account to the listing and emails them, in one notice, that the
    claim was approved and a set-password link; the listing's other waiting claims are
    sent back. False if decided already; refused (and left waiting) when the listing has
    an account or the address cannot be linked."""
    identity_check = checked_identity(application, identity_check)
    with transaction.atomic():
        # Locked before the claim: a rival claim of the same listing approved at once waits
        # here, then finds itself sent back by this one (decide() answers False).
        therapist = lock_listing(application)
        if not Application.objects.decide(application.pk, reviewer, ReviewStatus.APPROVED):
            return False
        Application.objects.filter(pk=application.pk).update(identity_check=identity_check)
        if therapist.user_id is not None:
            raise ReviewRefused(
                _("%(name)s is already claimed: it has an account. Send this claim back.")
                % {"name": therapist}
            )
        # Their emails from now on are in the edition they claimed in.
        therapist.language = application.language
        therapist.save(update_fields=["language"])
        try:
            # The approval notice itself carries the set-password link: one email, queued.
            user = invite(therapist, application.email, notice=notice)
        except InvitationError as error:
            raise ReviewRefused(str(error)) from None
        Application.objects.filter(pk=application.pk).update(user=user)
        if application.evidence == Application.Evidence.LICENSE_TO_CHECK:
            record_license_number(therapist, application)
        others = Application.objects.pending().filter(
            kind=Application.Kind.CLAIM, therapist=therapist
        )
        # Lazy: each claimant reads it in their own edition's language.
        reason = gettext_lazy("Someone else has shown this listing is theirs.")
        for other in others.select_related("therapist"):
            send_back_claim(other, reviewer, reason)
    return True


def treat_join_as_claim(join, listing, reviewer, identity_check):
    """Makes a waiting join an approved claim of `listing`, an existing public listing
    without an account: the join's account is linked to it by approve_claim, the path
    every claim takes (never a staff account, never one another listing has; the listing's
    other waiting claims sent back; one email with a set-password link).

    The join is closed, sent back with a note naming the listing and kept with the
    reviewer's note. Its own listing loses its account and stays unlisted, with all it
    holds (what the applicant wrote, photos, quotes), for staff to compare or delete: it
    is never published. False if the join was decided already; refused, changing nothing,
    where a claim would be."""
    identity_check = checked_identity(join, identity_check)
    reason = _("Treated as a claim of the listing %(name)s (%(slug)s).") % {
        "name": listing,
        "slug": listing.slug,
    }
    with transaction.atomic():
        # The join's own listing before the join, as Approve and Send back take them (else
        # a reviewer treating it while another approves it deadlock), then the one claimed
        # (approve_claim locks it again): a listing with an account is never claimable, so
        # no other decision locks the two the other way round.
        own = lock_listing(join)
        if not Application.objects.decide(join.pk, reviewer, ReviewStatus.SENT_BACK, reason):
            return False
        Application.objects.filter(pk=join.pk).update(identity_check=identity_check)
        account = Application.objects.select_related("user").get(pk=join.pk).user
        if account is None:
            raise ReviewRefused(_("The join's account no longer exists: send the join back."))
        claimed = Therapist.objects.select_for_update().get(pk=listing.pk)
        if claimed.user_id is not None:
            raise ReviewRefused(
                _("%(name)s has an account: it cannot be claimed. Approve or send back the join.")
                % {"name": claimed}
            )
        # An account has one listing: it leaves the join's own, which nobody then sees.
        if own.user_id == account.pk:
            own.user = None
        own.is_listed = False
        own.save(update_fields=["user", "is_listed", "updated_at"])
        claim = claim_for_join(join, own, claimed, account)
        # Its notice says so: they never claimed, and they already have a password.
        approve_claim(claim, reviewer, identity_check, notice="join_became_claim")
    return True


def claim_for_join(join, own, listing, account):
    """The claim of `listing` the join becomes, waiting, for approve_claim to decide: by the
    join's account, with the license number it gave, for staff to check."""
    license = own.licenses.exclude(number="").order_by("-is_primary", "id").first()
    given = (
        {
            "evidence": Application.Evidence.LICENSE_TO_CHECK,
            "license_number": license.number,
            "license_state": license.state,
        }
        if license
        else {"evidence": Application.Evidence.ADDRESS_CONFIRMED}
    )
    try:
        with transaction.atomic():
            return Application.objects.create(
                kind=Application.Kind.CLAIM,
                therapist=listing,
                email=account.email,
                language=join.language,
                **given,
            )
    except IntegrityError:  # application_one_pending_claim: this address's claim waits
        raise ReviewRefused(
            _(
                "A claim of %(name)s from %(email)s already waits: decide that claim, and "
                "send this join back."
            )
            % {"name": listing, "email": account.email}
        ) from None
