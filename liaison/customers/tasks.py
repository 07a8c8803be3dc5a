"""Background work of the customers app: Excel imports started in the back office."""

from django.tasks import task

from liaison.core.models import User
from liaison.customers import services
from liaison.customers.models import CustomerImport

# A file up to this size (about a thousand rows) is imported within the upload's request.
IMPORT_INLINE_BYTES = 100_000


@task
def customers_import_task(*, job_id: int) -> dict:
    """Import a kept file (``CustomerImport``); returns its outcome."""
    job = services.customer_import_run(job_id=job_id)
    return {"import": job.pk, "status": job.status, "created": job.created, "updated": job.updated,
            "problems": len(job.problems)}


def customer_import_start(
    *, data: bytes, file_name: str, file_format: str, actor: User | None, language: str = ""
) -> CustomerImport:
    """Keep an uploaded file and import it: a small one at once, a larger one as a background task.

    Returns the import record, which shows its progress and then its outcome.
    """
    job = services.customer_import_keep(
        data=data, file_name=file_name, file_format=file_format, actor=actor, language=language
    )
    if len(data) <= IMPORT_INLINE_BYTES:
        return services.customer_import_run(job_id=job.pk)
    customers_import_task.enqueue(job_id=job.pk)
    job.refresh_from_db()  # an immediate backend (the tests') has already run it
    return job
