"""Mark the survey campaigns that carry a screening round's instruments as purpose="screening".

The survey engine used to recognise them by this app's reverse relation (screening_link); it now
reads its own `Campaign.purpose`. Lives here, not in surveys, because only this app knows which
campaigns are screenings. Idempotent (an UPDATE to a fixed value), so it can run twice.
"""

from django.db import migrations


def mark_screening(apps, schema_editor):  # type: ignore[no-untyped-def]
    Campaign = apps.get_model("surveys", "Campaign")
    RoundCampaign = apps.get_model("health", "RoundCampaign")
    Campaign.objects.filter(pk__in=RoundCampaign.objects.values("campaign_id")).update(purpose="screening")


def unmark_screening(apps, schema_editor):  # type: ignore[no-untyped-def]
    Campaign = apps.get_model("surveys", "Campaign")
    Campaign.objects.filter(purpose="screening").update(purpose="survey")


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0002_screeninground_description"),
        ("surveys", "0004_campaign_purpose"),
    ]

    operations = [migrations.RunPython(mark_screening, unmark_screening)]
