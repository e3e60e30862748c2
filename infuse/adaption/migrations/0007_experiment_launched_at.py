"""Experiments remember when they were launched; those launched before learn it from the
audit log's ``experiment.launch`` event (the first, should there be more)."""

from django.db import migrations, models


def from_the_audit_log(apps, schema_editor):
    Experiment = apps.get_model("adaption", "Experiment")
    AuditEvent = apps.get_model("core", "AuditEvent")
    launches = AuditEvent.objects.filter(
        action="experiment.launch", object_type="adaption.experiment"
    ).order_by("sequence")
    first: dict[str, object] = {}
    for event in launches:
        first.setdefault(event.object_id, event.occurred_at)
    for experiment in Experiment.objects.filter(pk__in=[int(k) for k in first if k.isdigit()]):
        experiment.launched_at = first[str(experiment.pk)]
        experiment.save(update_fields=["launched_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("adaption", "0006_two_way_links_to_data"),
        ("core", "0006_person_email_confirmed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="experiment",
            name="launched_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(from_the_audit_log, migrations.RunPython.noop),
    ]
