from django.urls import path

from liaison.quality import views
from liaison.quality.capa import views as capa_views
from liaison.quality.report import views as report_views

app_name = "quality"
urlpatterns = [
    path("register/", views.complaint_register, name="register"),
    path("register/orders/", views.complaint_register_orders, name="register-orders"),
    path("<int:pk>/", views.complaint_detail, name="complaint"),
    path("<int:pk>/acknowledge/", views.complaint_acknowledge, name="acknowledge"),
    path("<int:pk>/investigate/", views.complaint_investigate, name="investigate"),
    path("<int:pk>/capa/", views.complaint_capa, name="issue-capa"),
    path("<int:pk>/lines/<int:line_pk>/inspect/", views.complaint_inspect, name="inspect"),
    path("<int:pk>/lines/<int:line_pk>/not-coming/", views.complaint_not_coming, name="not-coming"),
    path("<int:pk>/nonconformances/<int:record_pk>/dispose/", views.complaint_dispose, name="dispose"),
    path("<int:pk>/replace/", views.complaint_replace, name="replace"),
    path("<int:pk>/result/", views.complaint_result, name="result"),
    path("<int:pk>/feedback/", views.complaint_feedback, name="feedback"),
    path("<int:pk>/close/", views.complaint_close, name="close"),
    path("<int:pk>/void/", views.complaint_void, name="void"),
    path("report/", report_views.complaint_report_page, name="report"),
    path("capa/<int:pk>/", capa_views.capa_detail, name="capa"),
    path("capa/<int:pk>/review/", capa_views.capa_review, name="capa-review"),
    path("capa/<int:pk>/implement/", capa_views.capa_implement, name="capa-implement"),
    path("capa/<int:pk>/verify-execution/", capa_views.capa_verify_execution, name="capa-verify-execution"),
    path("capa/<int:pk>/send-back/", capa_views.capa_send_back, name="capa-send-back"),
    path(
        "capa/<int:pk>/verify-effectiveness/", capa_views.capa_verify_effectiveness, name="capa-verify-effectiveness"
    ),
]
