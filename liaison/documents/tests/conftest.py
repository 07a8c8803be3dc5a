import shutil
import subprocess

import pytest


@pytest.fixture(autouse=True)
def fast_fonts(settings):
    """Print with cached Regular instances when there are some, else the variable fonts: no 20 s cut."""
    settings.LIAISON_PDF_STATIC_FONTS = False


@pytest.fixture
def pdf_text(tmp_path):
    """Extract a PDF's text with poppler's pdftotext: pages are separated by form feeds."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; `make sysdeps` installs it")

    def extract(content: bytes) -> str:
        path = tmp_path / "form.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout

    return extract
