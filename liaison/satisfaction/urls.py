"""Workflow pages of the satisfaction app."""

from django.urls import path  # noqa: F401

app_name = "satisfaction"

urlpatterns: list = []
