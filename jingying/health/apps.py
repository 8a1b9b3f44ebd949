from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "jingying.health"
    label = "health"
    verbose_name = _("健康与心理")

    def ready(self) -> None:
        # health-psych: keep the scores of screening rounds and raise crisis alerts
        # (jingying.surveys.signals: sent after the response's transaction commits).
        from jingying.health.services.screening import on_instrument_scored
        from jingying.surveys.signals import instrument_scored

        instrument_scored.connect(on_instrument_scored, dispatch_uid="health_psych_instrument_scored")
