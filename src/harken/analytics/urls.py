from django.urls import path

from harken.analytics import views

urlpatterns = [
    path("", views.dashboard, name="analytics"),
    path("csv/<slug:key>/", views.chart_download, name="analytics_csv"),
    path("<slug:area>/", views.area, name="analytics_area"),
]
