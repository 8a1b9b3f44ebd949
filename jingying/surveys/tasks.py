"""Background work for surveys: reminders to everyone who has not answered yet, and results
workbooks (jingying.surveys.services_export)."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task


@task()
def campaign_send_reminders(campaign_id: int, user_id: int) -> int:
    """Send the reminders as the user who pressed the button (their grants are read afresh)."""
    from jingying.accounts.models import User
    from jingying.surveys import services
    from jingying.surveys.models import Campaign

    user = User.objects.get(pk=user_id)
    campaign = Campaign.objects.select_related("unit").get(pk=campaign_id)
    return services.campaign_remind(actor=user, campaign=campaign)


# `language`: the requester's, so the sheet names and the messages stored on the job are in the
# language of the screen that asked; the worker itself has no request to take it from.
@task()
def results_export_run(job_id: str, language: str | None = None) -> None:
    """Build one results workbook as the user who asked (their grants are read afresh)."""
    from jingying.surveys.services_export import results_export_build

    with translation.override(language or translation.get_language()):
        results_export_build(job_id=job_id)


def results_exports_cleanup() -> str:
    """Periodic job (settings.JINGYING_PERIODIC_JOBS): remove expired results workbooks."""
    from jingying.surveys.services_export import results_exports_cleanup as cleanup

    return f"removed {cleanup()}"
