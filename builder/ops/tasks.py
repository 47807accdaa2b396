from celery import shared_task

from builder.ops.services import probe_complete


@shared_task(name="ops.probe", bind=True)
def probe(self, probe_id: int) -> None:
    probe_complete(probe_id=probe_id, worker=self.request.hostname or "")
