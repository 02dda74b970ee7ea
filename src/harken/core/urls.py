from django.contrib.auth import views as auth_views
from django.urls import path

from harken.core import views
from harken.core.views import auth, bell, members, notifications, system, workspaces

urlpatterns = [
    path("", views.home, name="home"),
    path("health", system.health, name="health"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("setup/<str:token>/", members.setup_owner, name="setup_owner"),
    path("workspaces/", workspaces.workspace_list, name="workspace_list"),
    path("workspaces/new/", workspaces.workspace_create, name="workspace_create"),
    path("workspaces/switch/", workspaces.workspace_switch, name="workspace_switch"),
    path("settings/", workspaces.workspace_settings, name="settings"),
    path("settings/members/", members.member_list, name="member_list"),
    path("settings/members/<int:pk>/role/", members.member_role, name="member_role"),
    path("settings/members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path("settings/invitations/new/", members.invitation_create, name="invitation_create"),
    path(
        "settings/invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation_revoke"
    ),
    path("settings/authority/", members.authority_edit, name="authority"),
    path(
        "settings/notifications/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path(
        "settings/notifications/test/",
        notifications.notification_test,
        name="notification_test",
    ),
    path("notifications/", bell.notification_list, name="notification_list"),
    path("notifications/bell/", bell.bell, name="notification_bell"),
    path("notifications/read/", bell.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", bell.notification_open, name="notification_open"),
    path("settings/audit/", system.audit_log, name="audit_log"),
    path("settings/system/", system.system_status, name="system"),
    path("invite/<str:token>/", members.invitation_accept, name="invitation_accept"),
]
