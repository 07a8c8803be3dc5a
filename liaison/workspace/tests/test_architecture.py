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


# --- Requirements, tests and the traceability table ----------------------------------------

SPEC = ROOT / "docs" / "SPEC.md"  # a copy of the requirements (shared/SPEC.md), kept with the code
TRACEABILITY = ROOT / "docs" / "traceability.md"
REQUIREMENT = re.compile(r"\bR-\d+(?:\.\d+)*")
TEST_FUNCTION = re.compile(r"^\s*(?:async\s+)?def\s+(test_\w+)\s*\(", re.M)
PENDING: set[str] = set()  # ids whose named test is on its way (none: every id has one)


def _spec_ids() -> list[str]:
    found = dict.fromkeys(REQUIREMENT.findall(SPEC.read_text()))
    return list(found)


def _test_files() -> list[Path]:
    return sorted([*ROOT.glob("liaison/**/tests/**/test_*.py"), *ROOT.glob("e2e/test_*.py")])


def _test_functions() -> dict[str, set[str]]:
    """Every test function name, with the files (relative paths) that define it."""
    functions: dict[str, set[str]] = {}
    for path in _test_files():
        for name in TEST_FUNCTION.findall(path.read_text()):
            functions.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return functions


def _named_for(requirement: str, name: str) -> bool:
    """``test_r_5_2_2_3_…`` proves R-5.2.2.3 (and not R-5.2.2, whose name would go on with a digit)."""
    stem = "test_r_" + requirement[2:].replace(".", "_")
    return name == stem or (name.startswith(stem + "_") and not name[len(stem) + 1 : len(stem) + 2].isdigit())


def _traceability_rows() -> list[tuple[list[str], str]]:
    """(requirement ids of the first column, the whole row) of every table row; "R-a – R-b" spans the ids between."""
    order = _spec_ids()
    rows = []
    for line in TRACEABILITY.read_text().splitlines():
        if not line.startswith("| ") or line.startswith("|---"):
            continue
        first = line.split("|")[1]
        ids = REQUIREMENT.findall(first)
        for start, end in re.findall(r"(R-[\d.]+)\s*[–-]\s*(R-[\d.]+)", first):
            if start in order and end in order:
                ids += order[order.index(start) : order.index(end) + 1]
        rows.append((list(dict.fromkeys(ids)), line))
    return rows


def test_the_spec_copy_is_read():
    assert len(_spec_ids()) >= 30 and "R-1.3" in _spec_ids() and "R-5.7.3" in _spec_ids()


def test_the_spec_copy_matches_the_shared_spec_where_there_is_one():
    """docs/SPEC.md is a copy of the team's shared SPEC.md; where the shared one is at hand, they agree."""
    shared = ROOT.parent / "shared" / "SPEC.md"
    if not shared.exists():
        pytest.skip("no shared SPEC.md beside the repository (a clean clone): the copy is the source")
    assert SPEC.read_text() == shared.read_text(), "docs/SPEC.md differs from ../shared/SPEC.md: copy it again"


def test_every_requirement_has_a_test_named_with_its_id():
    functions = _test_functions()
    missing = [
        requirement
        for requirement in _spec_ids()
        if requirement not in PENDING and not any(_named_for(requirement, name) for name in functions)
    ]
    assert not missing, f"no test_r_<id>_… test for {missing}"


def test_pending_requirements_are_still_pending():
    """An id in PENDING that has its test now must leave PENDING (so the set empties itself on merge)."""
    functions = _test_functions()
    done = sorted(requirement for requirement in PENDING if any(_named_for(requirement, name) for name in functions))
    assert not done, f"remove {done} from PENDING in {Path(__file__).name}"
    assert PENDING <= set(_spec_ids())


def test_every_requirement_has_a_traceability_row_citing_a_file_of_its_tests():
    """The table names the files where each id's named tests really are."""
    functions = _test_functions()
    cited: dict[str, set[str]] = {}
    for ids, row in _traceability_rows():
        paths = {path for path, _name in PATH.findall(row)}
        for requirement in ids:
            cited.setdefault(requirement, set()).update(paths)
    problems = []
    for requirement in _spec_ids():
        if requirement in PENDING:
            continue
        if requirement not in cited:
            problems.append(f"{requirement}: no row")
            continue
        files = {file for name, defined in functions.items() if _named_for(requirement, name) for file in defined}
        if not files & cited[requirement]:
            problems.append(f"{requirement}: its tests are in {sorted(files)}, the row cites none of them")
    assert not problems, "docs/traceability.md: " + "; ".join(problems)


def test_every_test_the_traceability_table_names_is_a_test_function_in_that_file():
    functions = _test_functions()
    wrong = []
    for _ids, row in _traceability_rows():
        for path, name in PATH.findall(row):
            is_test_file = ("/tests/" in path or path.startswith("e2e/")) and Path(path).name.startswith("test_")
            if is_test_file and name and path not in functions.get(name, set()):
                wrong.append(f"{path}::{name}")
    assert not wrong, f"docs/traceability.md names tests that are not test functions there: {wrong}"
