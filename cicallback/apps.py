from django.apps import AppConfig


class CicallbackConfig(AppConfig):
    name = "cicallback"
    verbose_name = "CI callbacks"
