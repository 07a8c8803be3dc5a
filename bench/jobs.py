#!/usr/bin/env python
"""Timed jobs: survey analysis, management review pack PDF, F9 Excel import, disposal of expired records.

    .venv/bin/python bench/jobs.py --database-url postgres://…/liaison --import-rows 100000 --dispose 100000

- analysis: ``satisfaction.analysis.round_analysis`` of the latest sent round (all the
  survey responses the generator put in the rounds), best and median of ``--repeat``;
- pack: ``management.pack.pack_build`` + ``documents.printouts.review_pack.render_review_pack``
  (zh-hant) for the meeting of that round;
- import: ``customers.services.customers_import`` of an .xlsx of ``--import-rows`` new
  customers with their primary contact (the file is made first, not timed);
- disposal: ``records.services.disposal_run`` with the clock moved to the moment when
  exactly ``--dispose`` of the complaints the generator closed in 2023 are past
  retention; every record is archived (JSON + its printed form) and deleted. The
  archive goes to a temporary directory, removed afterwards. It changes the database:
  run it last.
Targets: analysis ≤ 200 ms, pack ≤ 3 s, import of 100 000 rows ≤ 60 s.
"""

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_average, record, say, setup_django, vendor  # noqa: E402

TARGETS = {"analysis_ms": 200, "pack_s": 3.0, "import_100k_s": 60.0}


def timed(function, repeat: int) -> tuple[list[float], object]:
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return durations, result


def analysis(repeat: int) -> dict:
    from liaison.satisfaction.analysis import round_analysis
    from liaison.satisfaction.models import SurveyForm, SurveyRound, SurveyScore

    survey_round = SurveyRound.objects.filter(sent_at__isnull=False).order_by("-planned_send_on").first()
    if survey_round is None:
        return {"skipped": "no sent survey round"}
    durations, _ = timed(lambda: round_analysis(survey_round=survey_round), repeat)
    ms = [d * 1000 for d in durations]
    out = {"round": survey_round.number, "forms": SurveyForm.objects.count(), "scores": SurveyScore.objects.count(),
           "best_ms": round(min(ms), 1), "median_ms": round(statistics.median(ms), 1), "max_ms": round(max(ms), 1),
           "target_ms": TARGETS["analysis_ms"]}
    out["meets_target"] = out["median_ms"] <= TARGETS["analysis_ms"]
    say(f"  analysis of {out['round']} over {out['forms']:,} forms / {out['scores']:,} scores: "
        f"median {out['median_ms']} ms, best {out['best_ms']} ms")
    return out


def pack(repeat: int) -> dict:
    from liaison.documents.printouts.review_pack import render_review_pack
    from liaison.reviews.pack import pack_build
    from liaison.satisfaction.models import SurveyRound

    survey_round = SurveyRound.objects.filter(sent_at__isnull=False).order_by("-planned_send_on").first()
    if survey_round is None:
        return {"skipped": "no sent survey round"}
    meeting_pk = survey_round.meeting_id
    build, built = timed(lambda: pack_build(meeting_pk=meeting_pk), repeat)
    render, pdf = timed(lambda: render_review_pack(built, language="zh-hant"), repeat)
    total = [b + r for b, r in zip(build, render, strict=True)]
    out = {"meeting": built.meeting.number, "build_s": round(statistics.median(build), 2),
           "render_s": round(statistics.median(render), 2), "total_s": round(statistics.median(total), 2),
           "pdf_bytes": len(pdf), "target_s": TARGETS["pack_s"]}
    out["meets_target"] = out["total_s"] <= TARGETS["pack_s"]
    say(f"  review pack {out['meeting']}: gather {out['build_s']} s + PDF {out['render_s']} s = {out['total_s']} s "
        f"({out['pdf_bytes']:,} bytes)")
    return out


def import_file(rows: int) -> bytes:
    """An .xlsx of ``rows`` new customers in the import's own columns."""
    import random

    from django.utils import translation

    from bench.generate import GIVEN, POSITIONS, SURNAMES, Generator
    from liaison.customers.models import Customer
    from liaison.customers.resources import CustomerResource

    with translation.override("zh-hant"):
        dataset = CustomerResource().export(queryset=Customer.objects.none())
    maker = Generator.__new__(Generator)  # only its name maker: no database set-up
    maker.rng = random.Random(rows)
    maker.names = set(Customer.objects.values_list("registered_name", flat=True))
    for index in range(rows):
        name, short, address, scope = maker._company()
        dataset.append([name, short, address, f"0755-{20000000 + index}", "", f"buyer{index}@import.example.cn",
                        scope, "", "", maker.rng.choice(SURNAMES) + maker.rng.choice(GIVEN),
                        maker.rng.choice(POSITIONS), f"139{index:08d}", ""])
    return dataset.export("xlsx")


def customer_import(rows: int) -> dict:
    from liaison.core.models import User
    from liaison.customers.models import Customer
    from liaison.customers.services import customers_import

    started = time.perf_counter()
    data = import_file(rows)
    made = time.perf_counter() - started
    before = Customer.objects.count()
    say(f"  import: {rows:,} rows in a {len(data) / 1e6:.1f} MB .xlsx (made in {made:.1f} s); importing")
    started = time.perf_counter()
    shown = [-1]

    def progress(done: int, total: int) -> None:
        # The service reports (done, total): checking fills the first half, writing the second.
        percent = 100 * done // max(total, 1)
        if percent != shown[0]:
            shown[0] = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\r  import: [{bar:<25}] {percent:3d}%  {time.perf_counter() - started:6.1f} s")
            sys.stderr.flush()

    report = customers_import(file=io.BytesIO(data), file_format="xlsx", actor=User.objects.get(username="admin"),
                              progress=progress)
    seconds = time.perf_counter() - started
    sys.stderr.write("\n")
    created = Customer.objects.count() - before
    per_100k = seconds * 100_000 / rows
    out = {"rows": rows, "created": created, "report_created": report.created, "seconds": round(seconds, 1),
           "rows_per_s": round(rows / seconds), "extrapolated_100k_s": round(per_100k, 1),
           "target_100k_s": TARGETS["import_100k_s"], "meets_target": per_100k <= TARGETS["import_100k_s"]}
    say(f"  import: {created:,} customers created in {seconds:.1f} s ({out['rows_per_s']:,} rows/s; "
        f"100 000 rows ≈ {per_100k:.0f} s)")
    return out


def disposal(count: int) -> dict:
    from liaison.core import clock
    from liaison.quality.models import Complaint
    from liaison.records import selectors, services

    policy = selectors.policies()["F6"]
    closed = list(Complaint.objects.filter(closed_at__isnull=False, closed_at__year=2023)
                  .order_by("closed_at").values_list("closed_at", flat=True)[count - 1:count])
    if not closed:
        return {"skipped": f"fewer than {count} complaints closed in 2023 (run bench/generate.py first)"}
    import datetime as dt

    moment = selectors.retention_end(policy, closed[0]) + dt.timedelta(seconds=1)
    archive = Path(tempfile.mkdtemp(prefix="liaison-bench-archive-"))
    lines = []

    def progress(message: str) -> None:
        lines.append(message)
        if not message.startswith("  ") or len(lines) % 20 == 0:
            say(f"  disposal: {message.strip()}")

    say(f"  disposal: clock moved to {moment:%Y-%m-%d %H:%M}, {count:,} complaints past retention")
    try:
        with clock.frozen(moment, all_threads=True):
            started = time.perf_counter()
            report = services.disposal_run(batch_size=50, archive_dir=archive, progress=progress)
            seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(archive, ignore_errors=True)
    run = report.run
    per_100k = seconds * 100_000 / max(run.disposed, 1)
    out = {"requested": count, "found": run.found, "disposed": run.disposed, "waiting": run.waiting,
           "seconds": round(seconds, 1), "records_per_s": round(run.disposed / seconds, 1),
           "extrapolated_100k_s": round(per_100k)}
    say(f"  disposal: {run.disposed:,} disposed of in {seconds:.1f} s ({out['records_per_s']} records/s; "
        f"100 000 ≈ {per_100k / 60:.0f} min)")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument("--dispose", type=int, default=200)
    parser.add_argument("--skip", default="", help="comma-separated: analysis,pack,import,disposal")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    skip = set(filter(None, args.skip.split(",")))
    say(f"Jobs on {vendor()}, load average {load_average()}")
    out = {"database": vendor(), "load_average_before": load_average()}
    if "analysis" not in skip:
        out["analysis"] = analysis(args.repeat)
    if "pack" not in skip:
        out["pack"] = pack(max(1, args.repeat // 2))
    if "import" not in skip:
        out["import"] = customer_import(args.import_rows)
    if "disposal" not in skip:
        out["disposal"] = disposal(args.dispose)
    out["load_average_after"] = load_average()
    record("jobs", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
