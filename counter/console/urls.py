"""Supervisor console under /counter/console/."""

from django.urls import path

from . import cards, views

app_name = "console"

urlpatterns = [
    path("", views.index, name="index"),
    path("approve/<str:reference>/", views.approve, name="approve"),
    path("export/counts.csv", views.export_counts, name="export-counts"),
    path("cards/", cards.cards, name="cards"),
    path("cards/<int:card_id>/manufacture-id/", cards.record, name="card-record"),
]
