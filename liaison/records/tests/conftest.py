import shutil
import subprocess

import pytest


@pytest.fixture(autouse=True)
def fast_fonts(settings):
    """Print with cached Regular instances when there are some, else the variable fonts: no 20 s cut."""
    settings.LIAISON_PDF_STATIC_FONTS = False


@pytest.fixture
def archive_dir(tmp_path, settings):
    path = tmp_path / "archive"
    settings.LIAISON_ARCHIVE_DIR = str(path)
    return path


@pytest.fixture
def pdf_text():
    """Extract a PDF file's text with poppler's pdftotext."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")

    def extract(path) -> str:
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout

    return extract
