from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "infuse.demo"
    label = "demo"
    verbose_name = "InFuSe demo"
