from django.urls import path

from liaison.communications import views

app_name = "communications"
urlpatterns = [
    path(
        "received/<int:pk>/files/<int:attachment_pk>/",
        views.received_document_file,
        name="received-file",
    ),
]
