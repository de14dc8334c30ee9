"""The core's routes. The project URLconf, config.urls, mounts them with the feature apps' and the API."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from partnerhub.views import (
    accounts,
    dashboard,
    documents,
    health,
    organisation,
    partner_csv,
    partners,
    security,
)

account_patterns = [
    # The password, then (for a user who turned it on) the code of the second factor.
    path("login/", security.LoginView.as_view(), name="login"),
    path("login/code/", security.second_factor_verify, name="second_factor_verify"),
    path("security/", security.account_security, name="account_security"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("signup/sent/", accounts.signup_sent, name="signup_sent"),
    path("signup/confirm/<uidb64>/<token>/", accounts.signup_confirm, name="signup_confirm"),
    path("password/change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", accounts.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("invitation/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
]

organisation_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("profile/", organisation.profile, name="organisation_profile"),
    path("security/", security.organisation_security, name="organisation_security"),
    path("team/", organisation.member_list, name="member_list"),
    path("team/invite/", organisation.member_invite, name="member_invite"),
    path("team/leave/", organisation.member_leave, name="member_leave"),
    path("team/<int:membership_id>/role/", organisation.member_role, name="member_role"),
    path("team/<int:membership_id>/remove/", organisation.member_remove, name="member_remove"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        organisation.invitation_revoke,
        name="invitation_revoke",
    ),
    path("partners/", partners.partner_list, name="partner_list"),
    path("partners/new/", partners.partner_create, name="partner_create"),
    path("partners/export.csv", partner_csv.partner_export, name="partner_export"),
    path("partners/import/", partner_csv.partner_import, name="partner_import"),
    path("partners/pdf/", documents.partner_list_pdf, name="partner_list_pdf"),
    path("partners/<int:partner_id>/", partners.partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", partners.partner_update, name="partner_update"),
    path("partners/<int:partner_id>/delete/", partners.partner_delete, name="partner_delete"),
    path("partners/<int:partner_id>/archive/", partners.partner_archive, name="partner_archive"),
    path("partners/<int:partner_id>/erase/", partners.partner_erase, name="partner_erase"),
    path("partners/<int:partner_id>/contacts/new/", partners.contact_create, name="contact_create"),
    path(
        "partners/<int:partner_id>/contacts/<int:contact_id>/edit/",
        partners.contact_update,
        name="contact_update",
    ),
    path(
        "partners/<int:partner_id>/contacts/<int:contact_id>/delete/",
        partners.contact_delete,
        name="contact_delete",
    ),
    path("documents/<int:document_id>/", documents.document_status, name="document_status"),
    path("documents/<int:document_id>/download/", documents.document_download, name="document_download"),
    path("documents/<int:document_id>/retry/", documents.document_retry, name="document_retry"),
]

# Uploaded and rendered files are never served from MEDIA_URL: documents go out through
# `document_download`, which checks membership like every other organisation view.
urlpatterns = [
    path("", dashboard.home, name="home"),
    # For whoever runs the service: alive, and ready (database, broker, storage). Public, reveal nothing.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include(account_patterns)),
    path("organisations/", organisation.organisation_list, name="organisation_list"),
    path("organisations/new/", organisation.organisation_create, name="organisation_create"),
    path("o/<slug:org_slug>/", include(organisation_patterns)),
]
