"""The architecture as documented is the architecture as built.

``docs/architecture.md`` lists the layers; ``pyproject.toml`` holds the import-linter contract
that ``make test`` enforces: the two must name the same packages in the same order. Every path
the docs name (``liaison/…``, with ``::name`` where given) must exist, so a move that forgets
the docs fails here.
"""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "docs" / "architecture.md", ROOT / "docs" / "traceability.md"]
PATH = re.compile(r"`((?:liaison|e2e|bench|config|scripts|docs)/[\w/.\-]+)(?:::(\w+))?")


def _contract_layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [contract for contract in config["contracts"] if contract["type"] == "layers"]
    (container,) = contract.get("containers", [""])
    prefix = f"{container}." if container else ""
    return [[prefix + name.strip() for name in re.split(r"[|:]", layer)] for layer in contract["layers"]]


def _documented_layers() -> list[list[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("| layer (top to bottom) | package |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    return [re.findall(r"`(liaison\.\w+)`", row) for row in rows]


def test_the_documented_layers_are_the_enforced_ones():
    assert _documented_layers() == _contract_layers()


def test_every_app_is_in_a_layer():
    apps = {f"liaison.{path.parent.name}" for path in (ROOT / "liaison").glob("*/apps.py")}
    assert apps == {name for layer in _contract_layers() for name in layer}


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_path_the_docs_name_exists(doc):
    missing = []
    for path, name in PATH.findall(doc.read_text()):
        target = ROOT / path
        if not target.exists():
            missing.append(path)
        elif name and target.suffix == ".py":
            source = target.read_text()
            if not re.search(rf"^\s*(async def|def|class)\s+{name}\b|^{name}\s*[:=]", source, re.M):
                missing.append(f"{path}::{name}")
    assert not missing, f"{doc.name} names what does not exist: {missing}"
