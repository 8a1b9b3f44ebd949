"""`jingying manage survey_demo`: demo questionnaires and campaigns on top of `jingying demo`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load demo surveys (instruments, a morale questionnaire, three anonymous campaigns). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        import time

        from jingying.surveys.demo import load_demo_surveys

        started = time.perf_counter()
        summary = load_demo_surveys()
        self.stdout.write(f"{summary['campaigns']} campaigns, {summary.get('answered', 0)} answers, "
                          f"{time.perf_counter() - started:.1f} s")
