from django.urls import path

from harken.analysis import views

# Included by the project under "analysis/".
urlpatterns = [
    path("settings/", views.analysis_settings, name="analysis_settings"),
    path("settings/retrain/", views.analysis_retrain, name="analysis_retrain"),
    path("settings/retrain/status/", views.analysis_retrain_status, name="analysis_retrain_status"),
    path("settings/<int:pk>/activate/", views.analysis_activate, name="analysis_activate"),
    path("settings/deactivate/", views.analysis_deactivate, name="analysis_deactivate"),
]
