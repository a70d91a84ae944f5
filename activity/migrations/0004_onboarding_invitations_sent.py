import datetime as dt

from django.db import migrations, models
from django.db.models import F


def count_and_schedule_pending_invitations(apps, schema_editor):
    """Steps sent before invitations were counted and re-checked: one invitation each, looked at within the hour."""
    step = apps.get_model("activity", "OnboardingStep")
    step.objects.filter(invitation_sent_at__isnull=False).update(invitations_sent=1)
    step.objects.filter(status="invitation_pending", next_attempt_at__isnull=True).update(
        next_attempt_at=F("invitation_sent_at") + dt.timedelta(hours=1)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0003_source_etag"),
    ]

    operations = [
        migrations.AddField(
            model_name="onboardingstep",
            name="invitations_sent",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="invitations sent"),
        ),
        migrations.AddField(
            model_name="onboardingstep",
            name="account",
            field=models.CharField(blank=True, max_length=39, verbose_name="account"),
        ),
        migrations.RunPython(count_and_schedule_pending_invitations, migrations.RunPython.noop),
    ]
