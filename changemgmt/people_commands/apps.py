from django.apps import AppConfig


class PeopleCommandsConfig(AppConfig):
    name = "changemgmt.people_commands"
    label = "people_commands"
    verbose_name = "People commands"
