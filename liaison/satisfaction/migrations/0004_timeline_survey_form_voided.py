"""Timeline entries written before SURVEY_FORM_VOIDED existed say what they are.

SURVEY_VOIDED meant two facts: a form returned too late (its summary a sentence, "Satisfaction
survey … returned on …") and a form voided by hand ("<number>: <reason>"). The second now has
its own event; the first keeps SURVEY_VOIDED.
"""

from django.db import migrations


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    SurveyForm = apps.get_model("satisfaction", "SurveyForm")
    form_type = ContentType.objects.filter(app_label="satisfaction", model="surveyform").first()
    if form_type is None:
        return
    voided = SurveyForm.objects.filter(voided_at__isnull=False).values_list("pk", "number").iterator()
    for form_id, number in voided:
        TimelineEntry.objects.filter(
            about_type=form_type, about_id=form_id, event="survey_voided", summary__startswith=f"{number}: "
        ).update(event="survey_form_voided")


def unlabel(apps, schema_editor):
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    TimelineEntry.objects.filter(event="survey_form_voided").update(event="survey_voided")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0009_timeline_events_per_fact"),
        ("satisfaction", "0003_scale_indexes"),
    ]

    operations = [migrations.RunPython(relabel, unlabel)]
