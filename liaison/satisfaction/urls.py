"""Pages of the satisfaction app."""

from django.urls import path

from liaison.satisfaction import views

app_name = "satisfaction"

urlpatterns: list = [
    # Public: the customer answers through the private link in the survey e-mail (no login).
    path("answer/<str:token>/", views.answer, name="answer"),
    # Staff pages: rounds, one round with its forms and analysis, one form F10.
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/plan/", views.round_plan, name="round-plan"),
    path("record/", views.satisfaction_record, name="record"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/send/", views.round_send, name="round-send"),
    path("rounds/<int:pk>/enter/", views.round_enter, name="round-enter"),
    path("analysis/", views.analysis_page, name="analysis"),
    path("forms/<int:pk>/", views.form_detail, name="form"),
    path("forms/<int:pk>/void/", views.form_void, name="form-void"),
    path("forms/<int:pk>/chase/", views.form_chase, name="form-chase"),
    path("forms/<int:pk>/complaint/", views.form_complaint, name="form-complaint"),
    path("forms/<int:pk>/capa/", views.form_capa, name="form-capa"),
]
