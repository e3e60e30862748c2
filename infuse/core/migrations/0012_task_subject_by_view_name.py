"""Task progress keeps the page it is for as a URL name and arguments instead of an address
(see ``TaskProgress.subject_view``); existing addresses are resolved into them, and back."""

import json

from django.db import migrations, models
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation


def _language(path):
    return "cy" if path.startswith("/cy/") else "en"


def addresses_to_names(apps, schema_editor):
    TaskProgress = apps.get_model("core", "TaskProgress")
    for progress in TaskProgress.objects.exclude(subject_url="").iterator():
        path, _, anchor = progress.subject_url.partition("#")
        try:
            with translation.override(_language(path)):
                match = resolve(path)
        except Resolver404:
            continue  # a page that no longer exists: the progress page shows no link
        progress.subject_view = match.view_name
        # As a path argument (a UUID converter gives a UUID), so JSON keeps it.
        progress.subject_kwargs = json.loads(json.dumps(match.kwargs, default=str))
        progress.subject_anchor = anchor[:50]
        progress.save(update_fields=["subject_view", "subject_kwargs", "subject_anchor"])


def names_to_addresses(apps, schema_editor):
    TaskProgress = apps.get_model("core", "TaskProgress")
    for progress in TaskProgress.objects.exclude(subject_view="").iterator():
        try:
            with translation.override("en"):
                path = reverse(progress.subject_view, kwargs=progress.subject_kwargs)
        except NoReverseMatch:
            continue
        anchor = f"#{progress.subject_anchor}" if progress.subject_anchor else ""
        progress.subject_url = f"{path}{anchor}"[:300]
        progress.save(update_fields=["subject_url"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_content_generation"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskprogress",
            name="subject_anchor",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="taskprogress",
            name="subject_kwargs",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="taskprogress",
            name="subject_view",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunPython(addresses_to_names, names_to_addresses),
        migrations.RemoveField(
            model_name="taskprogress",
            name="subject_url",
        ),
    ]
