from django.urls import path

from liaison.documents import views

app_name = "documents"
urlpatterns = [
    path("f1/<int:pk>.pdf", views.f1_order, name="f1"),
    path("f2/<int:pk>.pdf", views.f2_review_round, name="f2"),
    path("f3/<int:pk>.pdf", views.f3_change_register, name="f3"),
    path("f4/<int:pk>.pdf", views.f4_production_notice, name="f4"),
    path("f5/<int:pk>.pdf", views.f5_communication_record, name="f5"),
    path("f8/<int:pk>.pdf", views.f8_outbound_slip, name="f8"),
    path("f6/<int:pk>.pdf", views.f6_complaint, name="f6"),
    path("f7/<int:pk>.pdf", views.f7_capa_request, name="f7"),
    path("complaint-report.pdf", views.complaint_handling_report, name="complaint-report"),
    path("f10/<int:pk>.pdf", views.f10_survey_form, name="f10"),
    path("review-pack/<int:pk>.pdf", views.review_pack, name="review-pack"),
]
