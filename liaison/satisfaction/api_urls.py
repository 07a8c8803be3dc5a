"""API routes of the satisfaction app."""

from rest_framework.routers import SimpleRouter

from liaison.satisfaction import api

router = SimpleRouter()
router.register("questionnaires", api.TemplateViewSet, basename="questionnaire")
router.register("survey-rounds", api.RoundViewSet, basename="survey-round")
router.register("survey-forms", api.FormViewSet, basename="survey-form")

urlpatterns = router.urls
