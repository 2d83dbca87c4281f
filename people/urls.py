from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("settings/", views.settings_view, name="settings"),
    path("relationships/<int:pk>/focus/", views.focus, name="focus"),
]
