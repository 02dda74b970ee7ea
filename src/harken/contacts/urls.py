from django.urls import path

from harken.contacts import views

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("suggestions/", views.suggestions, name="contact_suggestions"),
    path("merge/", views.merge, name="contact_merge"),
    path("distinct/", views.distinct, name="contact_distinct"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="contact_merge_undo"),
    path("import/", views.import_page, name="contact_import"),
    path("<str:kind>/", views.standing_list, name="contact_standing"),
    path("<str:kind>/export.csv", views.standing_export, name="contact_standing_export"),
]
