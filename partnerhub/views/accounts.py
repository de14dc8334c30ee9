# Being written: replaced by the real views in this session.
def _being_written(request, *args, **kwargs):
    raise NotImplementedError


from django.contrib.auth import views as auth_views

LoginView = PasswordChangeView = PasswordChangeDoneView = auth_views.LoginView
PasswordResetView = PasswordResetDoneView = PasswordResetConfirmView = PasswordResetCompleteView = (
    auth_views.LoginView
)
signup = invitation_accept = _being_written
