"""Workflow pages of the satisfaction app."""

from django.urls import path

from liaison.satisfaction import pages, views

app_name = "satisfaction"

urlpatterns: list = [
    # Public: the customer answers through the private link in the survey e-mail (no login).
    path("answer/<str:token>/", views.answer, name="answer"),
    # Staff pages (pages.py): rounds, one round with its forms and analysis, one form F10.
    path("rounds/", pages.round_list, name="rounds"),
    path("rounds/plan/", pages.round_plan, name="round-plan"),
    path("rounds/<int:pk>/", pages.round_detail, name="round"),
    path("rounds/<int:pk>/send/", pages.round_send, name="round-send"),
    path("rounds/<int:pk>/enter/", pages.round_enter, name="round-enter"),
    path("analysis/", pages.analysis_page, name="analysis"),
    path("forms/<int:pk>/", pages.form_detail, name="form"),
    path("forms/<int:pk>/void/", pages.form_void, name="form-void"),
    path("forms/<int:pk>/chase/", pages.form_chase, name="form-chase"),
    path("forms/<int:pk>/complaint/", pages.form_complaint, name="form-complaint"),
    path("forms/<int:pk>/capa/", pages.form_capa, name="form-capa"),
]
