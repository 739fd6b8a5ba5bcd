"""Settings for the test suite: the product's settings, with outbound calls kept on this machine."""

from console.settings import *  # noqa: F403

OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
