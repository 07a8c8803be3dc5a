from django.urls import path

from liaison.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("register/", views.order_register, name="register"),
    path("register/documents/", views.order_register_documents, name="register-documents"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/clarifications/ask/", views.order_ask, name="ask"),
    path("<int:pk>/clarifications/answer/", views.order_answer, name="answer"),
    path("<int:pk>/review/sign/", views.order_sign, name="sign"),
    path("<int:pk>/review/legal/", views.order_legal, name="legal"),
    path("<int:pk>/review/decide/", views.order_decide, name="decide"),
    path("<int:pk>/ship/", views.order_ship, name="ship"),
    path("<int:pk>/notice/", views.order_notice, name="notice"),
    path("<int:pk>/reply/", views.order_reply, name="reply"),
    path("<int:pk>/changes/register/", views.order_change, name="change"),
    path("<int:pk>/changes/agree/", views.order_agree, name="agree"),
    path("<int:pk>/changes/withdraw/", views.order_withdraw, name="withdraw"),
    path("<int:pk>/changes/apply/", views.order_apply, name="apply"),
    path("<int:pk>/void/", views.order_void, name="void"),
]
