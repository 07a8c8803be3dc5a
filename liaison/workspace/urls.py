"""Pages of the workspace."""

from django.urls import path

from liaison.workspace import views

app_name = "workspace"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
]
