"""API routes of the records app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from liaison.records import api

router = SimpleRouter()
router.register("retention-policies", api.RetentionPolicyViewSet, basename="retention-policy")
router.register("legal-holds", api.LegalHoldViewSet, basename="legal-hold")
router.register("disposal-log", api.DisposalLogViewSet, basename="disposal-log")

urlpatterns = [
    path("retention-overview/", api.RetentionOverviewView.as_view(), name="retention-overview"),
    *router.urls,
]
