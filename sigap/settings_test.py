"""Settings for the test suite: the real settings with a fast password hasher."""

from sigap.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIGAP_QUICK_EXIT_URL = "/static/neutral.html"

# Models that exist only for the vault's tests (encrypted fields, rotation, scrubbing).
INSTALLED_APPS = [*INSTALLED_APPS, "sigap.vault.tests.sample_app"]  # noqa: F405
