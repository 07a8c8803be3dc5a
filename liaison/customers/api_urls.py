from rest_framework.routers import SimpleRouter

from liaison.customers import api

router = SimpleRouter()
router.register("customers", api.CustomerViewSet, basename="customer")
urlpatterns = router.urls
