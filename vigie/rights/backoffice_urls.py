from django.urls import path

from vigie.rights import (
    access_views,
    backoffice,
    case_actions,
    notices_views,
    portability_views,
    restriction_views,
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
    path("<uuid:pk>/recipients/send/", notices_views.send_list, name="recipients-send"),
    path("<uuid:pk>/notices/<int:notice_pk>/send/", notices_views.send, name="notice-send"),
    path("<uuid:pk>/notices/<int:notice_pk>/done/", notices_views.done, name="notice-done"),
    path(
        "<uuid:pk>/notices/<int:notice_pk>/impossible/",
        notices_views.impossible,
        name="notice-impossible",
    ),
    path("<uuid:pk>/restrict/", restriction_views.restrict, name="restrict"),
    path(
        "<uuid:pk>/restrict-while-checked/",
        restriction_views.restrict_while_checked,
        name="restrict-while-checked",
    ),
    path("<uuid:pk>/lifting-notice/", restriction_views.lifting_notice, name="lifting-notice"),
    path("<uuid:pk>/lift/", restriction_views.lift, name="lift"),
    path("<uuid:pk>/object/", restriction_views.object_to, name="object"),
    path("<uuid:pk>/objection-grounds/", restriction_views.grounds, name="objection-grounds"),
    path("<uuid:pk>/objection-letter/", restriction_views.decision_letter, name="objection-letter"),
    path("<uuid:pk>/access/compile/", access_views.compile_package, name="access-compile"),
    path("<uuid:pk>/access/send/", access_views.send_link, name="access-send"),
    path("<uuid:pk>/access/<str:fmt>", access_views.preview, name="access-preview"),
    path("<uuid:pk>/portability/", portability_views.build, name="portability-build"),
    path("<uuid:pk>/portability/link/", portability_views.staff_link, name="portability-link"),
    path(
        "<uuid:pk>/portability/<uuid:export_id>/<str:fmt>/",
        portability_views.staff_download,
        name="portability-download",
    ),
]
