"""Pages of the workspace."""

from django.urls import path
from django.views.generic import RedirectView

from liaison.workspace import views

app_name = "workspace"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    # Where the inbox was while it lived in the orders app: bookmarks keep working.
    path("orders/inbox/", RedirectView.as_view(pattern_name="workspace:inbox", permanent=True), name="inbox-moved"),
]
