"""Settings for the test suite (pytest selects them in ``pyproject.toml``).

They are the production settings of ``bcbt.settings`` with only what tests need changed, so
the suite exercises the code paths production runs. Nothing in ``bcbt.settings`` asks whether
it runs under test.
"""

from __future__ import annotations

import os

# Production refuses to start without a secret key; the suite has one of its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-the-test-suite-only-0123456789")
# ...and without an https address for the links in messages.
os.environ.setdefault("BCBT_BASE_URL", "https://testserver")

from bcbt.settings import *  # noqa: F403
from bcbt.settings import STORAGES, env

# The test client, the live server and the browser tests speak plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Templates find static files without a collectstatic manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The personas sign in with force_login and no authenticator; the tests of staff two-step
# verification switch it on (or the whole run does, with BCBT_REQUIRE_STAFF_MFA=1).
BCBT_REQUIRE_STAFF_MFA = env.bool("BCBT_REQUIRE_STAFF_MFA", default=False)

# Argon2 is deliberately slow; the tests of hashing itself use the production list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests run with debug off, as production does; seed_demo refuses that outside tests.
BCBT_SEED_DEMO_ALLOWED = True
