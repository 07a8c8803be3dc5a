"""Background work of the records app: the disposal job (R-5.7)."""

from django.tasks import task

from liaison.records import services


@task
def dispose_records(*, dry_run: bool = False, batch_size: int = 50) -> dict:
    """Run the disposal job; returns its counts (the scheduler runs it once a day)."""
    report = services.disposal_run(dry_run=dry_run, batch_size=batch_size)
    run = report.run
    return {
        "run": run.pk,
        "found": run.found,
        "disposed": run.disposed,
        "held": run.held,
        "waiting": run.waiting,
        "dry_run": run.dry_run,
    }
