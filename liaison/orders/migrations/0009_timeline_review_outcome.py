"""Timeline entries of a decided review say its outcome as their event, in each reader's language.

Before, every decision was one REVIEW_DECIDED entry whose summary carried the outcome's label
as text, in the language of whoever decided ("ORD-2026-0001 F2/1: Accepted — conditions"). The
entry is about its review round, whose outcome gives the event; the stored label leaves the
summary (the conditions stay). Reversible: the reverse writes the English label back.
"""

from django.db import migrations

EVENT = {
    "accepted": "review_accepted",
    "accepted_with_conditions": "review_accepted_with_conditions",
    "rejected": "review_rejected",
}
LABEL = {"accepted": "Accepted", "accepted_with_conditions": "Accepted with conditions", "rejected": "Rejected"}


def without_label(summary: str) -> str:
    """'ORD-1 F2/1: 已接受 — 條件' → 'ORD-1 F2/1 — 條件'."""
    head, colon, tail = summary.partition(": ")
    if not colon:
        return summary
    _label, dash, conditions = tail.partition(" — ")
    return f"{head} — {conditions}" if dash else head


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    ReviewRound = apps.get_model("orders", "ReviewRound")
    round_type = ContentType.objects.filter(app_label="orders", model="reviewround").first()
    if round_type is None:
        return
    entries = TimelineEntry.objects.filter(event="review_decided", about_type=round_type)
    outcomes = dict(
        ReviewRound.objects.filter(pk__in=entries.values("about_id")).values_list("pk", "outcome").iterator()
    )
    for entry in entries.only("pk", "about_id", "summary").iterator():
        event = EVENT.get(outcomes.get(entry.about_id))
        if event:
            TimelineEntry.objects.filter(pk=entry.pk).update(event=event, summary=without_label(entry.summary))


def unlabel(apps, schema_editor):
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    for outcome, event in EVENT.items():
        for entry in TimelineEntry.objects.filter(event=event).only("pk", "summary").iterator():
            head, dash, conditions = entry.summary.partition(" — ")
            summary = f"{head}: {LABEL[outcome]}" + (f" — {conditions}" if dash else "")
            TimelineEntry.objects.filter(pk=entry.pk).update(event="review_decided", summary=summary)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0010_timeline_events_procedure_holes"),
        ("orders", "0008_timeline_change_withdrawn"),
    ]

    operations = [migrations.RunPython(relabel, unlabel)]
