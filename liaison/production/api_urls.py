from rest_framework.routers import SimpleRouter

from liaison.production import api

router = SimpleRouter()
router.register("production-notices", api.ProductionNoticeViewSet, basename="production-notice")
urlpatterns = router.urls
