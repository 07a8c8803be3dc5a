"""What every benchmark script shares: Django set-up, the machine, percentiles, the results file."""

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
RESULTS = RESULTS_DIR / "results.json"


def setup_django(database_url: str | None = None, settings: str = "bench.settings") -> None:
    """Point Django at ``database_url`` (else $DATABASE_URL) with the bench settings, and set it up."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    """p50, p95 and max in milliseconds of a list of durations in seconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
    }


def _first_line(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict:
    """The machine a figure was measured on: cores, CPU, RAM, OS, Python, PostgreSQL, load."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    pg = "not found"
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), reverse=True):
        pg = _first_line([str(candidate), "-V"])
        break
    import django

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "os": os_name,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "load_average": load_average(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def record(section: str, data: dict) -> None:
    """Merge ``data`` under ``section`` into var/bench/results.json (each script writes its own part)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[section] = data
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")


def say(message: str) -> None:
    print(message, flush=True)
