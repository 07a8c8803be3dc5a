"""Workflow pages of the management review app (URL namespace ``management``)."""

from django.urls import path

from liaison.reviews import views

app_name = "management"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("meetings/plan/", views.meeting_plan, name="plan"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/update/", views.meeting_update, name="update"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="hold"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/actions/", views.action_add, name="action-add"),
    path("meetings/<int:pk>/actions/complete/", views.action_complete, name="action-complete"),
    path("meetings/<int:pk>/actions/cancel/", views.action_cancel, name="action-cancel"),
    path("meetings/<int:pk>/pack/", views.pack_page, name="pack"),
]
