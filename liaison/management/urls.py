"""Workflow pages of the management app."""

from django.urls import path  # noqa: F401

app_name = "management"

urlpatterns: list = []
