from django.apps import AppConfig


class SampleAppConfig(AppConfig):
    """Models used only by the vault's tests (installed by sigap.settings_test)."""

    name = "sigap.vault.tests.sample_app"
    label = "vault_sample"
    default_auto_field = "django.db.models.BigAutoField"
