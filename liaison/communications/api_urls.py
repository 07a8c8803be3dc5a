from rest_framework.routers import SimpleRouter

from liaison.communications import api

router = SimpleRouter()
router.register("received-documents", api.ReceivedDocumentViewSet, basename="received-document")
router.register(
    "communication-records", api.CommunicationRecordViewSet, basename="communication-record"
)
urlpatterns = router.urls
