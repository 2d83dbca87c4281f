from django.urls import path

from . import exports, views

app_name = "sessions"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_new, name="new"),
    path("tally/", views.session_tally, name="tally"),
    path("my-log.csv", exports.my_log_csv, name="my_log_csv"),
    path("my-log/", exports.my_log_print, name="my_log_print"),
    path("planned.ics", exports.planned_ics, name="planned_ics"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.session_reschedule, name="reschedule"),
    path("<int:pk>/share/", views.record_share, name="share"),
    path("<int:pk>/withdraw/", views.record_withdraw, name="withdraw"),
    path("<int:pk>/acknowledge/", views.record_acknowledge, name="acknowledge"),
    path("<int:pk>/feedback/", views.record_feedback, name="feedback"),
    path("<int:pk>/sign-off/", views.record_sign_off, name="sign_off"),
    path("<int:pk>/addendum/", views.record_addendum, name="addendum"),
    path(
        "<int:pk>/disputes/<int:acknowledgement_pk>/reply/",
        views.dispute_reply,
        name="dispute_reply",
    ),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
]
