"""`jingying manage load_instruments`: the scored instruments as frozen questionnaires."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a frozen questionnaire for every instrument whose item texts are included (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        from jingying.core.scoping import SYSTEM
        from jingying.org.models import Unit
        from jingying.surveys import services

        root = Unit.objects.filter(parent__isnull=True).first()
        if root is None:
            raise CommandError("no units yet: load the force first")
        loaded = services.instruments_load(actor=SYSTEM, unit=root)
        for version in loaded:
            self.stdout.write(f"{version.questionnaire.instrument_code}: {version.title}")
        self.stdout.write(f"{len(loaded)} loaded")
