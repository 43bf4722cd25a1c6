import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo superuser, or reset its password to the configured one. Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")
        parser.add_argument(
            "--password",
            default=os.environ.get("TANDEM_ADMIN_PASSWORD", "tandem-demo"),
            help="default: $TANDEM_ADMIN_PASSWORD or tandem-demo",
        )

    def handle(self, *, username, email, password, **options):
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        changed = created
        if not (user.is_staff and user.is_superuser and user.is_active):
            user.is_staff = user.is_superuser = user.is_active = True
            changed = True
        # Only when it differs: a new hash would sign the account out of its open sessions.
        if created or not user.check_password(password):
            user.set_password(password)
            changed = True
        if changed:
            user.save()
        self.stdout.write(f"superuser {username}: {'created' if created else 'updated' if changed else 'unchanged'}")
