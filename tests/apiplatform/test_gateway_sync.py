from builder.apiplatform.models import ApiCall
from builder.jobs.models import Job, JobStep


def test_a_sync_endpoint_answers_with_the_recipes_response(api):
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 200, response.content
    assert response.json() == {"greeting": "Hello Ada"}
    assert response["X-Request-Id"]


def test_the_call_and_its_job_are_recorded(api):
    response = api.call(body={"name": "Ada"})
    call = ApiCall.objects.get(request_id=response["X-Request-Id"])
    assert (call.status, call.endpoint_id, call.client_id) == (200, api.endpoint.pk, api.client.pk)
    assert call.key_prefix == api.key.prefix and api.secret not in str(call.__dict__)
    job = Job.objects.get(pk=call.job_id)
    assert job.status == "succeeded" and job.response["body"] == {"greeting": "Hello Ada"}
    assert job.trigger["context"]["client"]["name"] == "Chat assistant"
    assert api.secret not in str(job.trigger)
    assert list(JobStep.objects.filter(job=job).values_list("step_id", "status")) == [("reply", "succeeded")]
