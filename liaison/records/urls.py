"""Workflow pages of the records app."""

from django.urls import path

from liaison.records import audit_views, views

app_name = "records"

urlpatterns: list = [
    path("audit/", audit_views.audit_search, name="audit"),
    path("audit/export/", audit_views.audit_export, name="audit-export"),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", audit_views.record_history, name="history"),
    path("retention/", views.overview, name="overview"),
]
