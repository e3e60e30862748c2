"""Polarity said as people say it: "lower is better" was stored as ``higher_is_worse``."""

from typing import Any

from django.db import migrations, models

OLD, NEW = "higher_is_worse", "lower_is_better"


def _renamed(apps: Any, before: str, after: str) -> None:
    """Each indicator's polarity, in its column and in its stored specification."""
    indicator = apps.get_model("datalab", "Indicator")
    for row in indicator.objects.filter(polarity=before).only("polarity", "specification"):
        row.polarity = after
        if row.specification.get("polarity") == before:
            row.specification = {**row.specification, "polarity": after}
        row.save(update_fields=["polarity", "specification"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _renamed(apps, OLD, NEW)


def backwards(apps: Any, schema_editor: Any) -> None:
    _renamed(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("datalab", "0011_disclosed_periods"),
    ]

    operations = [
        migrations.AlterField(
            model_name="indicator",
            name="polarity",
            field=models.CharField(
                choices=[
                    ("higher_is_better", "Higher is better"),
                    ("lower_is_better", "Lower is better"),
                    ("neither", "Neither higher nor lower is better"),
                ],
                max_length=20,
                verbose_name="polarity",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
