"""Settings for the test suite: the real settings with a fast password hasher."""

from sigap.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIGAP_QUICK_EXIT_URL = "/static/neutral.html"

# Models that exist only for the vault's tests (encrypted fields, rotation, scrubbing).
INSTALLED_APPS = [*INSTALLED_APPS, "sigap.vault.tests.sample_app"]  # noqa: F405

# SQLite tests use a file, not shared memory: tests that run threads, each with
# its own connection (sigap.intake's concurrency tests), need real file locking.
# One file per test process, so parallel runs on one machine do not collide.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    import os as _os

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(DATA_DIR / f"test-{_os.getpid()}.sqlite3")  # noqa: F405
    }
