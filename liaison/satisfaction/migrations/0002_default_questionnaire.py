"""A fresh installation has the default questionnaire (R-5.6.4 criteria and weights)."""

from decimal import Decimal

from django.db import migrations

NAME = "客戶滿意度調查 (標準)"
# code, Traditional Chinese, Simplified Chinese, English, weight; copied here on purpose:
# a migration must not change when the application code does.
CRITERIA = [
    ("quality", "產品質量", "产品质量", "Product quality", Decimal("0.30")),
    ("delivery", "交貨期", "交货期", "Delivery", Decimal("0.25")),
    ("price", "價格", "价格", "Price", Decimal("0.15")),
    ("service", "服務", "服务", "Service", Decimal("0.15")),
    ("communication", "溝通", "沟通", "Communication", Decimal("0.15")),
]


def create(apps, schema_editor):
    Template = apps.get_model("satisfaction", "QuestionnaireTemplate")
    Criterion = apps.get_model("satisfaction", "Criterion")
    if Template.objects.exists():
        return
    template = Template.objects.create(name=NAME, active=True)
    for order, (code, zh_hant, zh_hans, en, weight) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(template=template, code=code, label_zh_hant=zh_hant, label_zh_hans=zh_hans,
                                 label_en=en, weight=weight, order=order)


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
