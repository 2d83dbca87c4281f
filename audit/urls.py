from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.my_balance, name="my_balance"),
    path("people/<int:pk>/", views.person_balance, name="person"),
    path("supervisees/", views.my_supervisees, name="my_supervisees"),
    path("teams/", views.team_balance, name="team_balance"),
    path("teams/months/", views.team_months, name="team_months"),
    path("teams/feedback/", views.team_feedback, name="team_feedback"),
    path("teams/checks/", views.team_checks, name="team_checks"),
    path("organisation/", views.organisation, name="organisation"),
    path("supervision/", views.my_supervision_audit, name="my_supervision"),
    path("supervision/self-assessment/", views.self_assessment, name="self_assessment"),
    path("supervisors/<int:pk>/", views.supervisor_audit, name="supervisor"),
    path("model/", views.model_guide, name="model"),
    path("policy/", views.policy, name="policy"),
    path("counts/", views.drill, name="drill"),
]
