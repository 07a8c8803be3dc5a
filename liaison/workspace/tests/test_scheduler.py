"""A task worker killed mid-job: the scheduler puts its job back in the queue, once (issue 7, faults)."""

import datetime as dt
import io
import logging
import os
import socket

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from liaison.core import clock
from liaison.core.scheduler import tasks_recover_stale
from liaison.satisfaction.tasks import surveys_run_daily

NOW = dt.datetime(2026, 11, 27, 6, 15)


@pytest.fixture
def queue(db, settings):
    """The database task queue of production (the test settings run tasks immediately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LIAISON_TASK_STALE_MINUTES = 60


def running(*, worker_ids: list[str], since: dt.timedelta) -> DBTaskResult:
    """A queued daily survey job a worker claimed ``since`` ago (and then, maybe, died)."""
    result = surveys_run_daily.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=worker_ids, started_at=clock.now() - since
    )
    return DBTaskResult.objects.get(pk=result.id)


def run_worker(worker_id: str) -> None:
    """What ``manage.py db_worker --batch`` does: run every READY job, then stop."""
    worker = db_worker.Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )
    worker.run()


def test_job_of_a_killed_worker_is_queued_again_and_runs_once_more(queue, monkeypatch, caplog):
    # The worker would close the test's connection between jobs (it is inside the test's transaction).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with clock.frozen(NOW):
        lost = running(worker_ids=["killed-worker"], since=dt.timedelta(hours=7))
        fresh = running(worker_ids=["busy-worker"], since=dt.timedelta(minutes=10))
        out = io.StringIO()
        with caplog.at_level(logging.WARNING, logger="liaison.core.scheduler"):
            call_command("liaison_scheduler", "--enqueue", stdout=out)

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.started_at, lost.worker_ids) == ("READY", None, ["killed-worker"])
    assert (fresh.status, fresh.worker_ids) == ("RUNNING", ["busy-worker"])  # still within its time
    assert f"recovered: task {lost.pk}" in out.getvalue() and str(fresh.pk) not in out.getvalue()
    assert "surveys: queued" in out.getvalue()  # the day's jobs are queued after the recovery
    assert [r.getMessage() for r in caplog.records if str(lost.pk) in r.getMessage()] != []

    run_worker("next-worker")
    lost.refresh_from_db()
    assert lost.status == "SUCCESSFUL" and lost.worker_ids == ["killed-worker", "next-worker"]
    assert lost.return_value == {"chased": [], "closed": []}
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"


def test_job_lost_a_second_time_is_marked_failed_not_queued_again(queue):
    with clock.frozen(NOW):
        twice = running(worker_ids=["first", "second"], since=dt.timedelta(hours=2))
        recovered = tasks_recover_stale()
    twice.refresh_from_db()
    assert twice.status == "FAILED" and twice.finished_at is not None
    assert twice.exception_class_path == "liaison.core.scheduler.WorkerLost"
    assert [r.requeued for r in recovered] == [False]
    assert tasks_recover_stale() == []  # nothing left to recover


def test_a_live_worker_named_host_and_pid_keeps_its_long_job(queue):
    with clock.frozen(NOW):
        alive = running(worker_ids=[f"{socket.gethostname()}:{os.getpid()}"], since=dt.timedelta(hours=9))
        assert tasks_recover_stale() == []
    alive.refresh_from_db()
    assert alive.status == "RUNNING"


def test_finished_jobs_and_the_timeout_option(queue):
    with clock.frozen(NOW):
        done = running(worker_ids=["w"], since=dt.timedelta(hours=30))
        DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL")
        recent = running(worker_ids=["w2"], since=dt.timedelta(minutes=20))
        out = io.StringIO()
        call_command("liaison_scheduler", "--recover-only", "--stale-minutes", "15", stdout=out)
    done.refresh_from_db()
    recent.refresh_from_db()
    assert done.status == "SUCCESSFUL" and recent.status == "READY"
    assert out.getvalue().count("recovered:") == 1 and "surveys:" not in out.getvalue()
