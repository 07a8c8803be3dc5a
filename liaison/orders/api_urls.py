from rest_framework.routers import SimpleRouter

from liaison.orders import api

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="order")
router.register("clarifications", api.ClarificationViewSet, basename="clarification")
router.register("review-rounds", api.ReviewRoundViewSet, basename="review-round")
router.register("sign-offs", api.SignOffViewSet, basename="sign-off")
router.register("changes", api.ChangeViewSet, basename="change")
urlpatterns = router.urls
