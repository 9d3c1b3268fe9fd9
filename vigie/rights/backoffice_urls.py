from django.urls import path

from vigie.rights import (
    account_deletion,
    backoffice,
    case_actions,
    death_views,
    erasure_views,
    triage_views,
)

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
    path("<uuid:pk>/erasure/propose/", erasure_views.propose, name="erasure-propose"),
    path("<uuid:pk>/erasure/confirm/", erasure_views.confirm, name="erasure-confirm"),
    path("<uuid:pk>/erasure/client/", erasure_views.client_confirmed, name="erasure-client"),
    path("<uuid:pk>/erasure/run/", erasure_views.run, name="erasure-run"),
    path("person/<uuid:pk>/delete/", account_deletion.delete, name="person-delete"),
    path("person/<uuid:pk>/death/", death_views.record, name="person-death"),
]
