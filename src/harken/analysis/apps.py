from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "harken.analysis"
    label = "analysis"
