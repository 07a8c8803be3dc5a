from rest_framework.routers import SimpleRouter

from liaison.customers import api

router = SimpleRouter()
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("contacts", api.ContactViewSet, basename="contact")
urlpatterns = router.urls
