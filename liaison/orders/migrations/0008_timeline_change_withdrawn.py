"""Timeline entries written before CHANGE_WITHDRAWN existed say what they are.

A withdrawal was recorded as a second CHANGE_REGISTERED entry about the same change; for a
withdrawn change, every CHANGE_REGISTERED entry after its first is the withdrawal. Nothing
else about the entries changes (the summary already said "Withdrawn").
"""

from django.db import migrations


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    ChangeEntry = apps.get_model("orders", "ChangeEntry")
    change_type = ContentType.objects.filter(app_label="orders", model="changeentry").first()
    if change_type is None:
        return
    withdrawn = ChangeEntry.objects.filter(status="withdrawn").values_list("pk", flat=True).iterator()
    for change_id in withdrawn:
        entries = list(
            TimelineEntry.objects.filter(about_type=change_type, about_id=change_id, event="change_registered")
            .order_by("occurred_at", "pk")
            .values_list("pk", flat=True)
        )
        if len(entries) > 1:
            TimelineEntry.objects.filter(pk__in=entries[1:]).update(event="change_withdrawn")


def unlabel(apps, schema_editor):
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    TimelineEntry.objects.filter(event="change_withdrawn").update(event="change_registered")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0009_timeline_events_per_fact"),
        ("orders", "0007_open_round_index"),
    ]

    operations = [migrations.RunPython(relabel, unlabel)]
