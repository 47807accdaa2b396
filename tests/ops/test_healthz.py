from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from builder.ops.models import WorkerHeartbeat
from builder.ops.services import heartbeat_record

pytestmark = pytest.mark.django_db


def beat(seconds_ago=0):
    heartbeat_record(hostname="worker@test", pid=1, started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(seconds=seconds_ago))


def test_all_up_is_200(client):
    beat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "broker", "worker"} <= set(body["checks"])
    assert body["checks"]["worker"]["workers"] == 1


def test_no_worker_is_503_and_says_so(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]
    assert "heartbeat" in response.json()["checks"]["worker"]["error"]


def test_a_stale_heartbeat_means_the_worker_is_down(client, settings):
    beat(seconds_ago=4 * settings.WORKER_HEARTBEAT_SECONDS)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "worker" in response.json()["down"]


def test_unreachable_broker_is_503_without_leaking_its_url(client):
    beat()
    with override_settings(CELERY_BROKER_URL="redis://:s3cret@127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert "s3cret" not in response.content.decode()


def test_missing_broker_folder_is_503(client, settings, tmp_path):
    beat()
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("the file-system broker is the embedded default only")
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS, data_folder_in=str(tmp_path / "gone"))
    with override_settings(CELERY_BROKER_TRANSPORT_OPTIONS=options):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_a_stopping_worker_removes_its_heartbeat(client):
    from builder.ops.services import heartbeat_forget

    beat()
    heartbeat_forget(hostname="worker@test")
    assert client.get("/healthz").status_code == 503
