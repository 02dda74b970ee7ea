from django.urls import path

from harken.analytics import report_views, views, voice_views

urlpatterns = [
    path("", views.dashboard, name="analytics"),
    path("csv/<slug:key>/", views.chart_download, name="analytics_csv"),
    path("typical-customer/", voice_views.page, name="analytics_voice"),
    path("typical-customer/outreach.csv", voice_views.outreach, name="analytics_voice_outreach"),
    path(
        "typical-customer/csv/<slug:key>/", voice_views.chart_download, name="analytics_voice_csv"
    ),
    path("report/", report_views.page, name="analytics_report"),
    path("report/pdf/", report_views.pdf, name="analytics_report_pdf"),
    path("report/send/", report_views.send_me, name="analytics_report_send"),
    path("report/schedule/", report_views.schedule, name="analytics_report_schedule"),
    path("<slug:area>/", views.area, name="analytics_area"),
]
