from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sigap.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        from sigap.accounts import signals  # noqa: F401
