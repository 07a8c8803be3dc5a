"""The product's URLs plus the framework floor endpoint, for benchmark runs only."""

from django.urls import path

from bench.floor_app.views import FloorView
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/floor/", FloorView.as_view(), name="bench-floor"), *product_urlpatterns]
