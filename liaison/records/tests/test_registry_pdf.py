"""Every kept record type that names a printed form finds its builder: an archive never silently loses its PDF."""

import importlib

import pytest

from liaison.records import registry


@pytest.mark.parametrize("record_type", registry.record_types(), ids=lambda record_type: record_type.code)
def test_r_5_7_1_every_printed_form_of_a_kept_record_type_resolves(record_type):
    spec = record_type.pdf
    if spec is None:
        pytest.skip(f"{record_type.code} has no printed form")
    assert callable(getattr(importlib.import_module(spec.module), spec.render))
    if spec.loader:
        assert callable(getattr(importlib.import_module(spec.loader_module), spec.loader))
