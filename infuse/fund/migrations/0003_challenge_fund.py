"""The £10m Challenge Fund of the Cardiff Capital Region, from April 2025 to March 2029."""

import datetime as dt

from django.db import migrations


def create(apps, schema_editor):
    Fund = apps.get_model("fund", "Fund")
    Fund.objects.get_or_create(
        slug="challenge-fund",
        defaults={
            "name": "Challenge Fund",
            "name_en": "Challenge Fund",
            "name_cy": "Cronfa Her",
            "total_pence": 10_000_000 * 100,
            "starts_on": dt.date(2025, 4, 1),
            "ends_on": dt.date(2029, 3, 31),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("fund", "Fund").objects.filter(slug="challenge-fund").delete()


class Migration(migrations.Migration):
    dependencies = [("fund", "0002_initial")]
    operations = [migrations.RunPython(create, remove)]
