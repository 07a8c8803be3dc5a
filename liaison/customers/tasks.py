"""Background work of the customers app: Excel imports started in the back office."""

from django.tasks import task

from liaison.customers import services


@task
def customers_import_task(*, job_id: int) -> dict:
    """Import a kept file (``CustomerImport``); returns its outcome."""
    job = services.customer_import_run(job_id=job_id)
    return {"import": job.pk, "status": job.status, "created": job.created, "updated": job.updated,
            "problems": len(job.problems)}
