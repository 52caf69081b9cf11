"""Supervisor console under /counter/console/."""

from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.index, name="index"),
    path("approve/<str:reference>/", views.approve, name="approve"),
    path("export/counts.csv", views.export_counts, name="export-counts"),
]
