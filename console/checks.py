"""Start-up checks: warn loudly when the server runs without an admin secret."""

from django.conf import settings
from django.core import checks

OPEN_MODE_MESSAGE = (
    "ADMIN_SECRET is not set: Joinery runs in OPEN DEVELOPMENT MODE. Every caller is admin and may change "
    "metadata and run SQL. Set ADMIN_SECRET before exposing this server."
)


@checks.register(checks.Tags.security, deploy=False)
def admin_secret_check(app_configs, **kwargs):
    """Warn when no admin secret protects the metadata API and the admin role."""
    if settings.ADMIN_SECRET:
        return []
    return [checks.Warning(OPEN_MODE_MESSAGE, id="joinery.W001")]


@checks.register(checks.Tags.security, deploy=False)
def auth_configuration_check(app_configs, **kwargs):
    """Refuse to start with an authentication set-up that cannot work (e.g. JWT without an admin secret)."""
    from django.core.exceptions import ImproperlyConfigured

    from relationships.auth import configured_auth_mode

    try:
        configured_auth_mode()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="joinery.E001")]
    return []
