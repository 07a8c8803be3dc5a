"""Print one line per test run and a total, from pytest's JUnit XML files.

Arguments are ``NAME=EXIT_STATUS:SECONDS:XML_PATH``. The last line reads
``Total: N passed, N failed, N skipped`` (errors count as failed).
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def counts(path: Path) -> dict[str, int] | None:
    """Return tests/failures/errors/skipped summed over the file's test suites."""
    if not path.is_file():
        return None
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in total:
            total[key] += int(suite.get(key, 0))
    return total


def main(args: list[str]) -> None:
    grand = {"passed": 0, "failed": 0, "skipped": 0}
    print("== test summary ==")
    for arg in args:
        name, _, rest = arg.partition("=")
        status, seconds, xml = rest.split(":", 2)
        c = counts(Path(xml)) if xml else None
        verdict = "ok" if status == "0" else f"FAILED (exit {status})"
        if c is None:
            detail = "no results" if xml else ""
        else:
            failed = c["failures"] + c["errors"]
            passed = c["tests"] - failed - c["skipped"]
            grand["passed"] += passed
            grand["failed"] += failed
            grand["skipped"] += c["skipped"]
            detail = f"{passed} passed, {failed} failed, {c['skipped']} skipped"
        minutes, secs = divmod(int(seconds), 60)
        print(f"  {name:<9} {verdict:<18} {detail:<40} {minutes}m{secs:02d}s")
    print(f"Total: {grand['passed']} passed, {grand['failed']} failed, {grand['skipped']} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
