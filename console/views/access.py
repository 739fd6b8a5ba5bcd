"""Signing in to and out of the console, with Django's own authentication."""

from django.contrib.auth import views as auth_views


class SignInView(auth_views.LoginView):
    """The console's sign-in page; afterwards, the page that asked for it (or the start page)."""

    template_name = "console/login.html"
    next_page = "console-home"

    def get_form_kwargs(self) -> dict:
        """Label the fields like every other console form (no trailing colon)."""
        return {**super().get_form_kwargs(), "label_suffix": ""}


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only) and come back to the sign-in page."""

    next_page = "console:login"
