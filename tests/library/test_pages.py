"""The library's pages: browse and search with filters, a template's preview, Use this template
(a new connection made on the spot, all or nothing), and a recipe's publish form with its
flags and refusals shown by the fields they name."""

import copy
import html
import json
import re

import pytest
from django.urls import reverse

from builder.connections.models import Connection
from builder.connections.services import connection_create
from builder.library import views
from builder.library.models import Template
from builder.library.services import SEED_DIR, template_import
from builder.recipes.drafts import draft_save
from builder.recipes.models import Recipe
from builder.recipes.services import recipe_create
from tests.factories import MembershipFactory, UserFactory
from tests.library.conftest import GOLDEN, greet_document
from tests.library.test_publish import SECRET_KEY, after_a_test_run

pytestmark = pytest.mark.django_db

TICKET = json.loads((SEED_DIR / "ticket-resolved-notify-requester.json").read_text())


@pytest.fixture
def greet_template():
    return template_import(document=greet_document())[0].template


@pytest.fixture
def ticket_template():
    return template_import(document=copy.deepcopy(TICKET))[0].template


def page(client, url, status=200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def test_the_nav_links_the_library(personas, client):
    client.force_login(personas.viewer)
    assert 'href="/library/"' in page(client, reverse("home"))


def test_the_library_lists_searches_and_filters(personas, client, greet_template, ticket_template):
    client.force_login(personas.viewer)
    shown = page(client, reverse("library"))
    assert "Greet a new hire" in shown
    assert TICKET["title"] in shown
    assert shown.count("Verified on 0.13.0") == 2
    assert 'data-icon="message-circle"' in shown
    assert "Moveworks" in shown
    assert "Webhooks" in shown
    assert "Event (push, schedule or poll)" in shown
    assert "Query (sync endpoint)" in shown
    found = page(client, reverse("library"), q="ticket resol")
    assert "Tell the requester" in found
    assert "Greet a new hire" not in found
    assert "Greet a new hire" not in page(client, reverse("library"), category="IT")
    assert "Tell the requester" not in page(client, reverse("library"), use_case="query")
    assert "Greet a new hire" not in page(client, reverse("library"), connector="webhooks")


@pytest.mark.parametrize(
    ("params", "message"),
    [({"category": "Gardening"}, "Select a valid choice"), ({"use_case": "x"}, "Select a valid choice"),
     ({"sort": "worst"}, "Select a valid choice"), ({"connector": "nope"}, "Select a valid choice"),
     ({"cursor": "not-a-cursor"}, "This cursor is not one a page of this list gave."),
     ({"q": "x" * 201}, "at most 200 characters")],
)  # fmt: skip
def test_bad_query_parameters_show_a_message_and_the_list(personas, client, greet_template, params, message):
    client.force_login(personas.viewer)
    shown = page(client, reverse("library"), **params)
    assert message in shown
    assert 'role="alert"' in shown
    assert "Greet a new hire" in shown  # the other filters still apply; the bad one is left out


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(personas, client, greet_template):
    client.force_login(personas.viewer)
    shown = page(client, reverse("library"), q="nothing matches this", category="HR")
    assert "No template matches these words and filters." in shown
    assert f'href="{reverse("library")}">Clear the filters' in shown


def test_pages_go_on_by_a_next_page_link(personas, client, greet_template, ticket_template, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(personas.viewer)
    first = page(client, reverse("library"), sort="name", category="")
    assert "Greet a new hire" in first
    assert "Tell the requester" not in first
    link = re.search(r'href="\?([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "sort=name" in link
    assert "cursor=" in link
    second = client.get(f"{reverse('library')}?{link}").content.decode()
    assert "Tell the requester" in second
    assert "Greet a new hire" not in second
    assert 'rel="next"' not in second


def test_the_preview_shows_what_a_template_needs_and_its_self_test(personas, client, greet_template):
    client.force_login(personas.viewer)
    shown = page(client, reverse("library_template", args=[greet_template.pk]))
    assert "<strong>new hires</strong>" in shown  # the description's Markdown
    assert "<script>alert(1)</script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "A Moveworks connection with an API key." in shown  # the slot's setup note
    # The request and response schemas as tables of fields.
    assert re.search(r"<code>email</code></td><td>string \(email\)</td>\s*<td>required</td>", shown)
    assert "<code>greeting</code>" in shown
    # The chain's recipe, as a data block the read-only chain module renders.
    block = re.search(r'<script id="template-recipe" type="application/json">(.*?)</script>', shown, re.S).group(1)
    assert json.loads(block)["steps"][0]["action"] == "moveworks.send_message"
    # The self-test: passed, and the exact Moveworks message it expects.
    assert "passed" in shown
    assert "moveworks.send_message" in shown
    assert "&quot;message&quot;: &quot;Welcome, Ada!&quot;" in shown
    assert f"/api/templates/{greet_template.pk}/file/" in shown
    assert reverse("library_use", args=[greet_template.pk]) in shown
    assert "Unpublish" not in shown  # the installation's own: read-only


def test_the_download_link_saves_the_template_file_even_when_a_browser_asks_for_html(personas, client, greet_template):
    client.force_login(personas.viewer)
    response = client.get(f"/api/templates/{greet_template.pk}/file/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="greet-a-new-hire.json"'
    assert response.json()["format"] == "stepwise.template/1"


def test_a_failing_case_shows_its_problems_with_pointers(personas, client):
    document = greet_document()
    document["self_test"]["cases"][0]["expect"]["calls"]["tell"][0]["message"] = "Hi"
    template = template_import(document=document)[0].template
    client.force_login(personas.viewer)
    shown = page(client, reverse("library_template", args=[template.pk]))
    assert "Self-test failing" in shown
    assert "failed" in shown
    assert "<code>/calls/tell/0/message</code>" in shown
    assert "&quot;Welcome, Ada!&quot;" in shown


def test_running_the_self_test_again_keeps_the_new_result(personas, client, greet_template):
    Template.objects.filter(pk=greet_template.pk).update(verified_on="")
    client.force_login(personas.owner)
    response = client.post(reverse("library_self_test", args=[greet_template.pk]), follow=True)
    assert "The self-test passes on Stepwise 0.13.0." in response.content.decode()
    assert Template.objects.get(pk=greet_template.pk).verified_on == "0.13.0"


def test_a_viewer_is_offered_no_rerun_and_is_refused_one(personas, client, greet_template):
    client.force_login(personas.viewer)
    assert "Run the self-test again" not in page(client, reverse("library_template", args=[greet_template.pk]))
    assert client.post(reverse("library_self_test", args=[greet_template.pk])).status_code == 403


# Use this template


def use(client, template, **post):
    return client.post(reverse("library_use", args=[template.pk]), post)


NEW_MOVEWORKS = {
    "slot-chat": "new", "new-chat-name": "Chat", "new-chat-base_url": "https://api.moveworks.ai",
    "new-chat-event_id": "evt-1", "new-chat-auth_method": "api_key", "new-chat-api_key": "k-1234",
}  # fmt: skip


def test_the_use_page_offers_each_slot_a_connection_later_or_a_new_one(personas, client, greet_template):
    connection_create(workspace=personas.a, connector="moveworks", name="Our Moveworks", fields={"api_key": "k"})
    client.force_login(personas.owner)
    shown = page(client, reverse("library_use", args=[greet_template.pk]))
    assert re.search(r'<option value="\d+" selected>Our Moveworks</option>', shown)  # the only one that fits
    assert "Leave for later" in shown
    assert "Create a new connection…" in shown
    assert 'name="new-chat-api_key" type="password"' in shown
    assert f'<option value="{personas.a.pk}" selected>Acme</option>' in shown


def test_using_a_template_with_a_new_connection_opens_the_clone_in_the_editor(personas, client, greet_template):
    client.force_login(personas.owner)
    response = use(client, greet_template, workspace=personas.a.pk, **NEW_MOVEWORKS)
    recipe = Recipe.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("recipe_edit", args=[recipe.pk])
    connection = Connection.objects.get(workspace=personas.a)
    assert (connection.name, connection.connector, recipe.bindings) == ("Chat", "moveworks", {"chat": connection.pk})
    assert recipe.samples["pins"] == greet_template.latest.self_test["cases"][0]["pins"]


def test_leave_for_later_binds_nothing(personas, client, greet_template):
    connection_create(workspace=personas.a, connector="moveworks", name="Only", fields={"api_key": "k"})
    client.force_login(personas.owner)
    assert use(client, greet_template, workspace=personas.a.pk, **{"slot-chat": ""}).status_code == 302
    assert Recipe.objects.get().bindings == {}


def test_a_bad_connection_field_is_shown_by_it_and_nothing_is_made(personas, client, greet_template):
    client.force_login(personas.owner)
    response = use(client, greet_template, workspace=personas.a.pk,
                   **{**NEW_MOVEWORKS, "new-chat-base_url": "not a url", "new-chat-name": ""})  # fmt: skip
    shown = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'data-field="base_url">Enter a valid URL', shown)
    assert re.search(r'data-field="name">A connection needs a name', shown)
    assert 'value="k-1234"' not in shown  # a secret is never shown again
    assert not Connection.objects.exists()
    assert not Recipe.objects.exists()


def test_a_connection_of_another_workspace_is_refused_and_nothing_is_made(personas, client, greet_template):
    theirs = connection_create(workspace=personas.b, connector="moveworks", name="Theirs", fields={"api_key": "k"})
    client.force_login(personas.owner)
    response = use(client, greet_template, workspace=personas.a.pk, **{"slot-chat": str(theirs.pk)})
    assert response.status_code == 400
    assert f"There is no connection {theirs.pk} in this workspace." in response.content.decode()
    assert not Recipe.objects.exists()


def test_a_second_slot_that_fails_undoes_the_first_new_connection(personas, client, ticket_template):
    document = greet_document(slug="two-slots")
    document["recipe"]["connections"]["other"] = {"connector": "moveworks"}
    two = template_import(document=document)[0].template
    client.force_login(personas.owner)
    response = use(client, two, workspace=personas.a.pk, **NEW_MOVEWORKS, **{"slot-other": "999999"})
    assert response.status_code == 400
    assert not Connection.objects.exists()
    assert not Recipe.objects.exists()


def test_a_viewer_is_told_where_they_may_build_and_makes_nothing(personas, client, greet_template):
    client.force_login(personas.viewer)
    assert "You build in no workspace" in page(client, reverse("library_use", args=[greet_template.pk]))
    response = use(client, greet_template, workspace=personas.a.pk, **NEW_MOVEWORKS)
    assert response.status_code == 400
    assert "Choose a workspace you build in" in response.content.decode()
    assert not Connection.objects.exists()
    assert not Recipe.objects.exists()


# Publish to the library


@pytest.fixture
def recipe(personas, chat):
    # Another connection of the workspace, whose secret screening knows to look for.
    connection_create(workspace=personas.a, connector="moveworks", name="Other",
                      fields={"base_url": "https://api.moveworks.ai", "api_key": SECRET_KEY})  # fmt: skip
    return recipe_create(workspace=personas.a, definition=copy.deepcopy(GOLDEN["definition"]),
                         bindings={"chat": chat.pk})  # fmt: skip


def publish_page(client, recipe):
    return page(client, reverse("recipe_library", args=[recipe.pk]))


def posted_form(shown: str) -> dict:
    """The publish form's fields as the page shows them, as a browser would post them."""
    data = {}
    for name, value in re.findall(r'<input id="[^"]+" name="([^"]+)"[^>]*? value="([^"]*)"', shown):
        data[name] = value
    for name, text in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', shown, re.S):
        data[name] = text
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', shown, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return {name: html.unescape(value) for name, value in data.items()}


def test_only_the_workspaces_owners_see_the_publish_page(personas, client, recipe):
    builder = UserFactory(username="bella")
    MembershipFactory(workspace=personas.a, user=builder, role="builder")
    for user, status in ((personas.viewer, 403), (builder, 403), (personas.outsider, 404)):
        client.force_login(user)
        assert client.get(reverse("recipe_library", args=[recipe.pk])).status_code == status
        assert client.post(reverse("recipe_library", args=[recipe.pk]), {"title": "x"}).status_code == status
    assert not Template.objects.exists()


def test_before_a_test_run_the_page_says_to_run_one(personas, client, recipe):
    client.force_login(personas.owner)
    shown = publish_page(client, recipe)
    assert "Run a test in the editor first" in shown
    assert reverse("recipe_edit", args=[recipe.pk]) in shown
    assert 'data-testid="publish-form"' not in shown


def test_the_recipe_page_and_the_editor_link_the_publish_page_for_owners(personas, client, recipe):
    url = reverse("recipe_library", args=[recipe.pk])
    client.force_login(personas.owner)
    assert url in page(client, reverse("recipe_detail", args=[recipe.pk]))
    assert f'data-library="{url}"' in page(client, reverse("recipe_edit", args=[recipe.pk]))
    client.force_login(personas.viewer)
    assert url not in page(client, reverse("recipe_detail", args=[recipe.pk]))
    assert "data-library" not in page(client, reverse("recipe_edit", args=[recipe.pk]))


def test_publishing_from_the_form_lists_a_verified_template(personas, client, api_as, sent, recipe):
    after_a_test_run(api_as(personas.owner), recipe)
    client.force_login(personas.owner)
    shown = publish_page(client, recipe)
    data = posted_form(shown)
    assert data["title"] == "Greet a new hire"
    assert json.loads(data["case-0-calls-tell"]) == [GOLDEN["expected"]["moveworks_request"]]
    assert json.loads(data["case-0-response"]) == {"status": 200, "body": {"greeting": "Hello Ada"}}
    data.update(category="HR", tags="onboarding, Chat", summary="Greets new hires.")
    response = client.post(reverse("recipe_library", args=[recipe.pk]), data)
    template = Template.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("library_template", args=[template.pk])
    assert (template.listed, template.verified_on, template.tags) == (True, "0.13.0", ["onboarding", "chat"])
    again = publish_page(client, recipe)
    assert "Published before as" in again
    assert "Unpublish" in again


def test_a_secret_in_a_sample_is_flagged_by_its_part_and_nothing_is_stored(personas, client, api_as, sent, recipe):
    trigger = {"body": {"name": f"Ada {SECRET_KEY}", "email": "ada@example.com"}}
    after_a_test_run(api_as(personas.owner), recipe, trigger)
    client.force_login(personas.owner)
    shown = publish_page(client, recipe)
    notes = re.search(r'data-testid="notes-case-0-trigger">(.*?)</ul>', shown, re.S).group(1)
    assert "Secret: must be replaced." in notes
    assert "<code>/body/name</code>" in notes
    assert "one of the workspace&#x27;s connection secrets" in notes
    data = {**posted_form(shown), "category": "HR"}
    data["case-0-trigger"] = data["case-0-trigger"].replace('"Ada', '"Ada xoxb-1234567890-abcdef')
    response = client.post(reverse("recipe_library", args=[recipe.pk]), data)
    assert response.status_code == 400
    assert "This looks like a Slack token." in response.content.decode()
    assert not Template.objects.exists()


def test_personal_data_is_published_only_once_accepted(personas, client, api_as, sent, recipe):
    after_a_test_run(api_as(personas.owner), recipe, {"body": {"name": "Ada", "email": "ada.lovelace@gmail.com"}})
    client.force_login(personas.owner)
    shown = publish_page(client, recipe)
    assert "Personal data?" in shown
    assert "These samples may be stored as they are" in shown
    data = {**posted_form(shown), "category": "HR"}
    refused = client.post(reverse("recipe_library", args=[recipe.pk]), data)
    assert refused.status_code == 400
    assert "Personal data?" in refused.content.decode()
    assert not Template.objects.exists()
    accepted = client.post(reverse("recipe_library", args=[recipe.pk]), {**data, "accept_personal_data": "on"})
    assert accepted.status_code == 302
    assert Template.objects.get().listed


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [({"case-0-trigger": "{not json"}, "case-0-trigger", "Trigger payload is not valid JSON"),
     ({"case-0-calls-tell": '[{"recipients": ["ada@example.com"], "message": "Hi"}]'}, "case-0-calls-tell",
      "At <code>/0/message</code>: differs"),
     ({"title": ""}, None, "This is required."),
     ({"category": "Gardening"}, None, "Choose one of IT, HR")],
)  # fmt: skip
def test_a_refusal_is_shown_by_what_it_names(personas, client, api_as, sent, recipe, change, where, message):
    after_a_test_run(api_as(personas.owner), recipe)
    client.force_login(personas.owner)
    data = {**posted_form(publish_page(client, recipe)), "category": "HR", **change}
    response = client.post(reverse("recipe_library", args=[recipe.pk]), data)
    shown = response.content.decode()
    assert response.status_code == 400
    if where:
        shown = re.search(rf'data-testid="notes-{where}">(.*?)</ul>', shown, re.S).group(1)
    assert message in shown
    assert not Template.objects.exists()


def test_owners_unpublish_from_the_preview(personas, client, api_as, sent, recipe):
    after_a_test_run(api_as(personas.owner), recipe)
    client.force_login(personas.owner)
    data = {**posted_form(publish_page(client, recipe)), "category": "HR"}
    client.post(reverse("recipe_library", args=[recipe.pk]), data)
    template = Template.objects.get()
    preview = reverse("library_template", args=[template.pk])
    assert "Unpublish" in page(client, preview)
    client.force_login(personas.viewer)
    assert "Unpublish" not in page(client, preview)
    assert client.post(reverse("library_unpublish", args=[template.pk])).status_code == 403
    client.force_login(personas.owner)
    assert client.post(reverse("library_unpublish", args=[template.pk]))["Location"] == preview
    assert not Template.objects.get().listed
    assert "No template matches" in page(client, reverse("library"))


def test_a_flag_in_the_recipe_itself_says_where_it_is(personas, client, api_as, sent, recipe):
    after_a_test_run(api_as(personas.owner), recipe)
    changed = copy.deepcopy(recipe.draft)
    changed["steps"][1]["then"][0]["input"]["message"] = "internal hire: tell ada.lovelace@gmail.com"
    draft_save(recipe=recipe, definition=changed)
    client.force_login(personas.owner)
    data = {**posted_form(publish_page(client, recipe)), "category": "HR"}
    response = client.post(reverse("recipe_library", args=[recipe.pk]), data)
    shown = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Personal data in recipe › steps › 1 › then › 0 › input › message" in shown
    assert "These samples may be stored as they are" in shown  # personal data anywhere may be accepted
    assert not Template.objects.exists()
