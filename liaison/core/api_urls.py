from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from liaison.core import api

router = SimpleRouter()
router.register("departments", api.DepartmentViewSet, basename="department")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    *router.urls,
]
