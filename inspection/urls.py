from django.urls import path

from . import views

app_name = "inspection"
urlpatterns = [
    path("", views.index, name="index"),
    path("teams/<int:pk>/pack.pdf", views.team_pdf, name="team_pdf"),
    path("teams/<int:pk>/pack.zip", views.team_csv, name="team_csv"),
    path("organisation/pack.pdf", views.organisation_pdf, name="organisation_pdf"),
    path("organisation/pack.zip", views.organisation_csv, name="organisation_csv"),
]
