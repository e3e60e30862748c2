"""People get an email-confirmed time; everyone who exists already counts as confirmed (they were
made by an admin, joined by an emailed invitation, or registered before confirmation existed)."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def confirm_existing(apps, schema_editor):
    apps.get_model("core", "Person").objects.update(email_confirmed_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [("core", "0005_rate_counters")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="email address confirmed",
            ),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
