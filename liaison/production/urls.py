from django.urls import path

from liaison.production import views

app_name = "production"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/start/", views.notice_start, name="start"),
    path("<int:pk>/complete/", views.notice_complete, name="complete"),
]
