from rest_framework.routers import SimpleRouter

from liaison.stock import api

router = SimpleRouter()
router.register("products", api.ProductViewSet, basename="product")
router.register("stock", api.QualifiedStockViewSet, basename="qualifiedstock")
router.register("stock-moves", api.StockMoveViewSet, basename="stockmove")
router.register("outbound-slips", api.OutboundSlipViewSet, basename="outboundslip")
urlpatterns = router.urls
