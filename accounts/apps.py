from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        # Registers the device-token scheme with drf-spectacular.
        from accounts import api_schema  # noqa: F401

        # Feature apps tell the navigator's queue what they know (accounts/support_sources.py).
        autodiscover_modules("support_queue")
        # Feature apps say which of their forms a patient may keep a draft of (accounts/drafts.py).
        autodiscover_modules("drafts")
