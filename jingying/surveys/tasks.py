"""Background work for surveys: reminders to everyone who has not answered yet."""

from __future__ import annotations

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
