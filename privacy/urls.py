from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("people/<int:pk>/subject-access/", views.subject_access, name="subject_access"),
    path("people/<int:pk>/erase/", views.erase, name="erase"),
]
