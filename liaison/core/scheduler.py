"""Keep the task queue moving when a worker dies mid-job.

django-tasks-db marks a job ``RUNNING`` when a worker claims it (``started_at``, and the
worker's id appended to ``worker_ids``) and ``SUCCESSFUL``/``FAILED`` when it ends. A worker
killed in between (OOM, ``kill -9``, a reboot) leaves the job ``RUNNING`` for ever, and
``db_worker`` only takes ``READY`` jobs. It keeps no heartbeat and its default worker ids are
random, so the evidence that a worker is gone is how long its job has been running; a
worker started with ``--worker-id <host>:<pid>`` can be asked directly when it runs on this
host, and a live one keeps its job however long it takes.

Every Liaison job is safe to run twice (each works from the dates stored on the records),
so a stuck job is put back in the queue — once: a job whose second worker is lost too is
marked failed, so a job that kills its worker does not loop.
"""

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from liaison.core import clock

logger = logging.getLogger(__name__)

# A job RUNNING longer than this is taken as lost; longer than the longest job ever runs.
DEFAULT_STALE_MINUTES = 6 * 60
# Claims a job may have had: the first run and the one recovery.
MAX_CLAIMS = 2


class WorkerLost(Exception):
    """The worker running a job disappeared before the job ended."""


@dataclass(frozen=True)
class Recovered:
    task_id: str
    task_path: str
    started_at: dt.datetime
    worker_id: str
    requeued: bool  # False: lost a second time, marked failed

    def __str__(self) -> str:
        outcome = "put back in the queue" if self.requeued else "lost twice, marked failed"
        return (
            f"task {self.task_id} ({self.task_path}) RUNNING since {self.started_at.isoformat()} "
            f"on worker {self.worker_id or '?'}: {outcome}"
        )


def stale_after() -> dt.timedelta:
    """How long a job may run before it is taken as lost (``LIAISON_TASK_STALE_MINUTES``)."""
    return dt.timedelta(minutes=getattr(settings, "LIAISON_TASK_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def worker_alive(worker_id: str) -> bool | None:
    """Whether the worker named ``<host>:<pid>`` still runs on this host; None when it cannot be told."""
    host, sep, pid = worker_id.rpartition(":")
    if not sep or not pid.isdigit() or host != socket.gethostname():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


@transaction.atomic
def tasks_recover_stale(*, older_than: dt.timedelta | None = None) -> list[Recovered]:
    """Put the jobs whose worker died mid-run back in the queue, once each; log each one."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = clock.now() - (older_than if older_than is not None else stale_after())
    stuck = (
        DBTaskResult.objects.select_for_update(skip_locked=True)
        .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        .order_by("started_at")
    )
    recovered = []
    for job in stuck:
        worker_id = job.worker_ids[-1] if job.worker_ids else ""
        if worker_alive(worker_id):
            continue
        if len(job.worker_ids) < MAX_CLAIMS:
            # Back to READY as if never claimed; the worker ids stay, to count the claims.
            DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            requeued = True
        else:
            job.set_failed(WorkerLost(f"Worker {worker_id} was lost while running this job, after a recovery."))
            requeued = False
        outcome = Recovered(str(job.pk), job.task_path, job.started_at, worker_id, requeued)
        logger.warning("Task worker lost: %s", outcome)
        recovered.append(outcome)
    return recovered
