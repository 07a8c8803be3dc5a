from django.urls import path
from rest_framework.routers import SimpleRouter

from liaison.quality import api
from liaison.quality.capa import api as capa_api
from liaison.quality.report import api as report_api

router = SimpleRouter()
router.register("complaints", api.ComplaintViewSet, basename="complaint")
router.register("return-lines", api.ReturnLineViewSet, basename="return-line")
router.register(
    "nonconformance-records", api.NonconformanceRecordViewSet, basename="nonconformance-record"
)
router.register("feedback", api.FeedbackViewSet, basename="feedback")
router.register("capa-requests", capa_api.CapaRequestViewSet, basename="capa-request")
urlpatterns = [
    *router.urls,
    path("complaint-report/", report_api.ComplaintReportView.as_view(), name="complaint-report"),
]
