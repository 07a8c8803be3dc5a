import pytest


@pytest.fixture
def archive_dir(tmp_path, settings):
    path = tmp_path / "archive"
    settings.LIAISON_ARCHIVE_DIR = str(path)
    return path
