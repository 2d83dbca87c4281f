from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("settings/", views.settings_view, name="settings"),
    path("relationships/<int:pk>/focus/", views.focus, name="focus"),
    path("relationships/<int:pk>/raise/", views.raise_request, name="raise_request"),
    path("requests/<int:pk>/answer/", views.answer_request, name="answer_request"),
]
