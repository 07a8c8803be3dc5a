"""Make the static font instances that printed forms embed, ahead of the first print."""

from django.core.management.base import BaseCommand

from liaison.documents import fonts


class Command(BaseCommand):
    help = (
        "Cut the Regular and Bold instances of Noto Sans TC and SC used by printed forms "
        "(about 20 seconds each, once; cached outside the repository)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regular-only", action="store_true", help="Skip the Bold instances.")

    def handle(self, *args, regular_only: bool = False, **options):
        weights = ["Regular"] if regular_only else list(fonts.WEIGHTS)
        for script in fonts.SCRIPTS:
            for weight in weights:
                cached = fonts.instance_path(script, weight).exists()
                path = fonts.instance_make(script, weight)
                if options["verbosity"] >= 1:
                    state = "cached" if cached else "made"
                    self.stdout.write(f"{path} ({state})")
