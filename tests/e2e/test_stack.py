"""The real stack in this run's configuration: web, websocket, worker and beat as subprocesses."""

import os

import pytest

from tests.stack import ADMIN_PASSWORD, ADMIN_USER, http

pytestmark = pytest.mark.stack


def test_healthz_reports_database_broker_and_worker_up(stack):
    status, body = http("GET", f"{stack.base_url}/healthz")
    assert status == 200, body
    checks = body["checks"]
    assert checks["database"]["engine"] == ("postgresql" if os.environ.get("DATABASE_URL") else "sqlite")
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem://").split("://")[0]
    assert checks["broker"]["transport"] == broker
    assert checks["worker"]["workers"] == 1


def test_a_task_goes_through_the_real_broker_to_the_worker(stack):
    result = stack.manage("stepwise_probe", "--timeout", "60")
    assert result.returncode == 0, result.stderr + stack.log_tail()
    assert "ran on worker@" in result.stdout


def test_the_management_api_over_real_http(stack):
    status, body = http(
        "POST", f"{stack.base_url}/api/auth/token/", {"username": ADMIN_USER, "password": ADMIN_PASSWORD}
    )
    assert status == 201, body
    status, me = http("GET", f"{stack.base_url}/api/me/", headers={"Authorization": f"Token {body['token']}"})
    assert status == 200
    assert me["workspaces"][0]["role"] == "owner"
    status, _ = http("GET", f"{stack.base_url}/api/me/", headers={"Authorization": "Token sw_wrong"})
    assert status == 401


def test_setup_again_reuses_what_exists(stack):
    result = stack.manage("stepwise_setup", "--no-static")
    assert result.returncode == 0, result.stderr
    assert "password" not in result.stdout
    assert "ready" in result.stdout


def test_static_files_are_served_by_the_web_process(stack):
    status, body = http("GET", f"{stack.base_url}/login/")
    assert status == 200
    assert "/static/css/app." in body
