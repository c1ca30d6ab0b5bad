from django.core.management.base import BaseCommand, CommandError

from therapists.invitations import ChangeOfAddressNotConfirmed, InvitationError, invite
from therapists.models import Therapist


class Command(BaseCommand):
    help = "Create or link a therapist's account and email them a link to set a password."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the listing's slug, as in /therapists/<slug>/")
        parser.add_argument("email", help="where the invitation goes; the account's sign-in")
        parser.add_argument(
            "--change-address",
            action="store_true",
            help="move the sign-in of an account already in use to EMAIL; the old address is told",
        )

    def handle(self, slug, email, change_address, **options):
        try:
            therapist = Therapist.objects.get(slug=slug)
        except Therapist.DoesNotExist:
            raise CommandError(f"No listing has the slug {slug!r}.") from None
        try:
            user = invite(therapist, email, change_address=change_address)
        except ChangeOfAddressNotConfirmed as error:
            raise CommandError(f"{error} Run again with --change-address to confirm.") from None
        except InvitationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Invitation sent to {user.email} for {therapist}.")
