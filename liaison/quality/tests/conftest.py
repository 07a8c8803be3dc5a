import pytest
from django.utils import translation


@pytest.fixture
def english():
    """Messages compared word for word are compared in English (the default language is zh-hant)."""
    with translation.override("en"):
        yield
