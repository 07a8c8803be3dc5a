from django.urls import path

from liaison.quality import views

app_name = "quality"
urlpatterns = [
    path("<int:pk>/", views.complaint_detail, name="complaint"),
    path("capa/<int:pk>/", views.capa_detail, name="capa"),
]
