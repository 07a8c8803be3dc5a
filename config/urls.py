"""URL map: back office (admin), workflow pages, API and its documentation."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from liaison.core import views as core_views

api_v1 = [
    path("", include("liaison.core.api_urls")),
    path("", include("liaison.customers.api_urls")),
    path("", include("liaison.stock.api_urls")),
    path("", include("liaison.communications.api_urls")),
    path("", include("liaison.orders.api_urls")),
    path("", include("liaison.production.api_urls")),
    path("", include("liaison.quality.api_urls")),
    path("", include("liaison.satisfaction.api_urls")),
    path("", include("liaison.reviews.api_urls")),
    path("", include("liaison.records.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("account/language/", core_views.account_language, name="account-language"),
    path("attachments/<int:pk>/", core_views.attachment_download, name="attachment-download"),
    path("customers/", include("liaison.customers.urls")),
    path("communications/", include("liaison.communications.urls")),
    path("production/", include("liaison.production.urls")),
    path("orders/", include("liaison.orders.urls")),
    path("quality/", include("liaison.quality.urls")),
    path("documents/", include("liaison.documents.urls")),
    path("satisfaction/", include("liaison.satisfaction.urls")),
    path("management/", include("liaison.reviews.urls")),
    path("records/", include("liaison.records.urls")),
    path("", include("liaison.workspace.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"), name="api-redoc"),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from MEDIA_URL: only through attachment-download,
# which checks who asks.
