"""API of QC's complaint handling report (R-3.3): ``GET /api/v1/complaint-report/?start=&end=``.

Read by QC, the heads and management (``report/rules.py``); a date that is not
``YYYY-MM-DD`` or a period that ends before it starts comes back as 400 with the field named.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.quality.report import selectors
from liaison.quality.report.errors import ACTIONS
from liaison.quality.states import CauseCategory, ComplaintKind, Disposition

QUANTITY = {"max_digits": 16, "decimal_places": 3}


class PeriodSerializer(serializers.Serializer):
    start = serializers.CharField(
        required=False, help_text=_("First complaint date, YYYY-MM-DD (default: six months before the end).")
    )
    end = serializers.CharField(required=False, help_text=_("Last complaint date, YYYY-MM-DD (default: today)."))


class CauseSerializer(serializers.Serializer):
    cause_category = serializers.ChoiceField(source="category", choices=CauseCategory.choices)
    label = serializers.CharField()
    at_fault = serializers.IntegerField()
    not_at_fault = serializers.IntegerField()
    total = serializers.IntegerField()
    cumulative_share = serializers.FloatField(help_text=_("Share of investigated complaints, this cause and larger."))


class DurationsSerializer(serializers.Serializer):
    measured = serializers.IntegerField(help_text=_("How many complaints took the step."))
    mean_days = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)
    max_days = serializers.FloatField(allow_null=True)
    over_limit = serializers.IntegerField(help_text=_("Done late, or still waiting past the limit."))


class DispositionSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(
        choices=[("", _("not decided yet")), *Disposition.choices], help_text=_("Empty while not decided.")
    )
    label = serializers.CharField()
    records = serializers.IntegerField()
    quantity = serializers.DecimalField(**QUANTITY)


class ReturnFiguresSerializer(serializers.Serializer):
    returned = serializers.DecimalField(**QUANTITY)
    arrived = serializers.DecimalField(**QUANTITY)
    good = serializers.DecimalField(**QUANTITY)
    nonconforming = serializers.DecimalField(**QUANTITY)
    replacement_needed = serializers.DecimalField(**QUANTITY)
    lines_not_inspected = serializers.IntegerField()
    dispositions = DispositionSerializer(many=True)


class CapaFiguresSerializer(serializers.Serializer):
    issued = serializers.IntegerField(help_text=_("Issued in the period for complaints and returns."))
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    closed_effective = serializers.IntegerField()
    sent_back = serializers.IntegerField(help_text=_("Sent back to the department at least once."))
    open_all = serializers.IntegerField(help_text=_("Open, issued in any period."))
    overdue_all = serializers.IntegerField(help_text=_("Overdue, issued in any period."))


class ComplaintLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=ComplaintKind.choices)
    kind_label = serializers.CharField()
    customer = serializers.CharField()
    complaint_date = serializers.DateField()
    cause_category = serializers.ChoiceField(
        choices=[("", _("not investigated yet")), *CauseCategory.choices], help_text=_("Empty until investigated.")
    )
    company_at_fault = serializers.BooleanField(allow_null=True)
    # A plain string in the schema: another "status" enum here would collide with the complaint's own.
    status = serializers.CharField(
        help_text=_("The complaint's status: registered, acknowledged, investigated, result_recorded or closed.")
    )
    status_label = serializers.CharField()
    days_open = serializers.IntegerField(help_text=_("To closing, or to today while open."))
    acknowledged_late = serializers.BooleanField()
    resolved_late = serializers.BooleanField()


class ComplaintReportSerializer(serializers.Serializer):
    number = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    made_at = serializers.DateTimeField()
    acknowledge_limit_hours = serializers.IntegerField()
    resolve_limit_days = serializers.IntegerField()
    registered = serializers.IntegerField(help_text=_("Complaints and returns dated in the period, void ones left out."))
    complaints = serializers.IntegerField()
    returns = serializers.IntegerField()
    closed = serializers.IntegerField()
    open = serializers.IntegerField()
    voided = serializers.IntegerField(help_text=_("Voided registrations, not counted anywhere else."))
    at_fault = serializers.IntegerField()
    not_at_fault = serializers.IntegerField()
    not_investigated = serializers.IntegerField()
    causes = CauseSerializer(many=True, help_text=_("6M causes, largest first (Pareto order)."))
    acknowledge = DurationsSerializer(help_text=_("Days from registration to acknowledgement."))
    close = DurationsSerializer(help_text=_("Days from the complaint date to closing."))
    goods = ReturnFiguresSerializer()
    capa = CapaFiguresSerializer()
    lines = ComplaintLineSerializer(many=True)


class ComplaintReportView(APIView):
    """QC's complaint handling report for a period of complaint dates (R-3.3)."""

    # No model is the report's: reading it is its own permission (core.drf.RolePermission).
    step_actions = {"get": ACTIONS["view"]}

    @extend_schema(
        operation_id="complaint_report",
        parameters=[PeriodSerializer],
        responses={200: ComplaintReportSerializer, 400: OpenApiResponse(description=_("A date or the period is wrong."))},
    )
    def get(self, request):
        start, end = selectors.report_period(start=request.query_params.get("start"), end=request.query_params.get("end"))
        result = selectors.complaint_handling_report(start=start, end=end)
        return Response(ComplaintReportSerializer(result).data)
