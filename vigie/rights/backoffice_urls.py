from django.urls import path

from vigie.rights import backoffice, case_actions, rectification_views, triage_views

app_name = "cases"

urlpatterns = [
    path("", backoffice.case_list, name="list"),
    path("new/", backoffice.case_new, name="new"),
    path("triage/", triage_views.queue, name="triage"),
    path("triage/<uuid:pk>/", triage_views.message_page, name="triage-message"),
    path("<uuid:pk>/", backoffice.case_detail, name="detail"),
    path("<uuid:pk>/scans/<uuid:scan_id>/", backoffice.scan_download, name="scan"),
    path("<uuid:pk>/verify/", case_actions.verify, name="verify"),
    path("<uuid:pk>/challenge/", case_actions.challenge, name="challenge"),
    path("<uuid:pk>/received-at/", case_actions.received_at, name="received-at"),
    path("<uuid:pk>/extend/", case_actions.extend, name="extend"),
    path("<uuid:pk>/decide/", case_actions.decide, name="decide"),
    path("<uuid:pk>/answer/", case_actions.answer, name="answer"),
    path("<uuid:pk>/close-unverified/", case_actions.close_unverified, name="close-unverified"),
    path("<uuid:pk>/assign/", case_actions.assign, name="assign"),
    path("<uuid:pk>/deadline/", case_actions.deadline, name="deadline"),
    path("<uuid:pk>/rectify/", rectification_views.record, name="rectify"),
    path(
        "<uuid:pk>/rectify/<uuid:rectification_id>/proof/",
        rectification_views.proof,
        name="rectify-proof",
    ),
    path(
        "<uuid:pk>/rectify/<uuid:rectification_id>/values/",
        rectification_views.values,
        name="rectify-values",
    ),
    path(
        "<uuid:pk>/rectify/tasks/<int:task_id>/done/",
        rectification_views.task_done,
        name="rectify-task-done",
    ),
]
