"""URL map: pages under language prefixes (English at /, Welsh at /cy/), the API at /api/v1/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from infuse.core import message_views
from infuse.core import views as core
from infuse.core.deferred_urls import DeferredResolver
from infuse.datalab.catalogue import views as datalab_views
from infuse.region.home import views as region_home

handler400 = "infuse.core.views.bad_request"
handler403 = "infuse.core.views.permission_denied"
handler404 = "infuse.core.views.page_not_found"
handler500 = "infuse.core.views.server_error"

account_patterns = [
    path("sign-in/", core.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="auth/password_reset_form.html",
            email_template_name="auth/password_reset_email.txt",
            subject_template_name="auth/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    # Template names are explicit: the admin app ships templates with the same default names.
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="auth/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="auth/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("", core.account, name="account"),
    path("confirm-email/send/", core.send_confirmation, name="send_confirmation"),
    path("confirm-email/<str:token>/", core.confirm_email, name="confirm_email"),
    path("tokens/<int:token_id>/revoke/", core.revoke_token, name="revoke_token"),
    path("messages/", message_views.inbox, name="messages"),
    path("messages/read/", message_views.mark_all_read, name="mark_all_read"),
    path("messages/choices/", message_views.message_choices, name="message_choices"),
    path("emails/stop/<str:signed>/", message_views.stop_emails, name="stop_emails"),
    path("messages/<uuid:pk>/", message_views.open_message, name="open_message"),
]

urlpatterns = [
    # Imported on first use: see infuse.core.deferred_urls.
    DeferredResolver("api/v1/", "infuse.api", app_name="ninja", namespace="api"),
    # Machine-readable, language-neutral: outside the language prefixes.
    path("data/catalogue.jsonld", datalab_views.dcat_catalogue, name="dcat_catalogue"),
]

urlpatterns += i18n_patterns(
    path("", region_home.home, name="home"),
    path("about/", core.about, name="about"),
    path("accessibility/", core.accessibility, name="accessibility"),
    path("glossary/", core.glossary, name="glossary"),
    path("account/", include(account_patterns)),
    path("audit/", core.audit_log, name="audit"),
    path("audit/verify/", core.audit_verify, name="audit_verify"),
    path("tasks/<uuid:progress_id>/", core.task_status, name="task"),
    path("data/", include("infuse.datalab.urls")),
    path("experiments/", include("infuse.adaption.urls")),
    path("procurement/", include("infuse.procurement.urls")),
    path("fund/", include("infuse.fund.urls")),
    path("", include("infuse.region.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
