"""Production settings trust the proxy's HTTPS header only when told a proxy is there."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _proxy_header(behind_proxy: str | None) -> str:
    env = {**os.environ, "LIAISON_SECRET_KEY": "proxy-test-" + "0123456789abcdef" * 4}
    env.pop("LIAISON_BEHIND_PROXY", None)
    if behind_proxy is not None:
        env["LIAISON_BEHIND_PROXY"] = behind_proxy
    code = "import config.settings.production as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("behind_proxy", "header"),
    [(None, "('HTTP_X_FORWARDED_PROTO', 'https')"), ("true", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("false", "None")],
)
def test_proxy_ssl_header_follows_liaison_behind_proxy(behind_proxy, header):
    assert _proxy_header(behind_proxy) == header
