from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        # Registers the device-token scheme with drf-spectacular.
        from accounts import api_schema  # noqa: F401
