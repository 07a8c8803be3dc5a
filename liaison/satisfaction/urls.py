"""Workflow pages of the satisfaction app."""

from django.urls import path

from liaison.satisfaction import views

app_name = "satisfaction"

urlpatterns: list = [
    # Public: the customer answers through the private link in the survey e-mail (no login).
    path("answer/<str:token>/", views.answer, name="answer"),
]
