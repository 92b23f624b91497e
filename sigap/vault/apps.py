from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "sigap.vault"
    label = "vault"
    verbose_name = "Brankas data"

    def ready(self) -> None:
        from sigap.vault import checks  # noqa: F401 - registers the system checks
        from sigap.vault.keyring import keyring

        # Fail at start-up, not on the first page that needs a key.
        keyring()
