"""API routes of the management review app."""

from rest_framework.routers import SimpleRouter

from liaison.reviews import api

router = SimpleRouter()
router.register("review-meetings", api.ReviewMeetingViewSet, basename="review-meeting")
router.register("review-actions", api.ReviewActionViewSet, basename="review-action")

urlpatterns = router.urls
