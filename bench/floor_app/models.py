"""A trivial table: what one insert costs through the whole stack, without the product's logic."""

from django.db import models


class FloorRow(models.Model):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
