from django.apps import AppConfig


class CabConfig(AppConfig):
    name = "cab"
    verbose_name = "Change Advisory Board"
