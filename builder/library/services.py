"""Writes of the library: store a template version (from a file, the seed, or a workspace's
recipe), verify it by its self-test, clone it into a workspace, unpublish and list it again."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from builder.connections.models import Connection
from builder.connections.services import connection_create
from builder.errors import Conflict, NoSuchObject, Refusal
from builder.library.document import TemplateSpec, connectors_of, parse_template, template_document, use_case_of
from builder.library.models import Source, Template, TemplateConnector, TemplateVersion, UseCase
from builder.library.selftest import run_self_test
from builder.recipes.models import Recipe
from builder.recipes.services import recipe_import
from builder.version import VERSION
from builder.workspaces.models import Workspace
from connectors.registry import registry

SEED_DIR = Path(__file__).resolve().parent / "seed"


class SelfTestFailed(Refusal):
    code = "self_test_failed"


class FlaggedSamples(Refusal):
    code = "flagged_samples"


def spec_of(version: TemplateVersion) -> TemplateSpec:
    """A stored version as the spec it was made from (its file reads back to it)."""
    definition = version.definition
    return TemplateSpec(slug=version.template.slug, version=version.number, title=version.title,
                        summary=version.summary, description=version.description, category=version.category,
                        tags=list(version.tags), setup_notes=dict(version.setup_notes), author=version.author_name,
                        definition=definition, self_test=version.self_test, connectors=connectors_of(definition),
                        use_case=use_case_of(definition))  # fmt: skip


def template_file(version: TemplateVersion) -> dict:
    """The version's exchange file: the recipe, its metadata and its self-test; no secret, no binding."""
    return template_document(spec_of(version))


def _keywords(spec: TemplateSpec) -> str:
    titles = [registry()[name].title for name in spec.connectors if name in registry()]
    return " ".join([*spec.tags, *spec.connectors, *titles, spec.category, UseCase(spec.use_case).label])


LISTED_FIELDS = ["latest", "title", "summary", "description", "category", "use_case", "tags", "connectors",
                 "keywords", "author_name", "verified_on", "updated_at"]  # fmt: skip


def _list(template: Template, version: TemplateVersion, spec: TemplateSpec) -> None:
    """The template shows its latest version: copy what lists read (only that: a clone counted
    meanwhile keeps its count)."""
    template.latest = version
    template.title, template.summary, template.description = spec.title, spec.summary, spec.description
    template.category, template.use_case, template.tags = spec.category, spec.use_case, spec.tags
    template.connectors, template.keywords, template.author_name = spec.connectors, _keywords(spec), spec.author
    template.verified_on = version.test_result["stepwise_version"] if version.test_result.get("passed") else ""
    template.save(update_fields=LISTED_FIELDS)
    TemplateConnector.objects.filter(template=template).exclude(connector__in=spec.connectors).delete()
    have = set(TemplateConnector.objects.filter(template=template).values_list("connector", flat=True))
    TemplateConnector.objects.bulk_create([TemplateConnector(template=template, connector=name)
                                           for name in spec.connectors if name not in have])  # fmt: skip


def template_create(spec: TemplateSpec, **fields) -> Template:
    """A new template row for `spec`'s slug; one made by someone else at the same moment is a
    Conflict (409), not a crash."""
    try:
        with transaction.atomic():
            return Template.objects.create(slug=spec.slug, title=spec.title, summary=spec.summary,
                                           category=spec.category, use_case=spec.use_case, **fields)  # fmt: skip
    except IntegrityError:
        raise Conflict({"slug": f"A template {spec.slug!r} was made at the same moment; try again."}) from None


def version_store(template: Template, spec: TemplateSpec, *, result: dict, author=None) -> TemplateVersion:
    """The template's next version with its self-test's `result` (run before, outside any
    transaction: a self-test holds no lock while it runs), and listed as the latest."""
    last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
    spec = replace(spec, version=last + 1)
    version = TemplateVersion.objects.create(
        template=template, number=last + 1, definition=spec.definition, digest=spec.digest, title=spec.title,
        summary=spec.summary, description=spec.description, category=spec.category, tags=spec.tags,
        setup_notes=spec.setup_notes, self_test=spec.self_test, test_result=result, author=author,
        author_name=spec.author,
    )  # fmt: skip
    _list(template, version, spec)
    return version


def _latest_unless_same(slug: str, spec: TemplateSpec) -> TemplateVersion | None:
    template = Template.objects.select_related("latest").filter(slug=slug).first()
    if template is not None and template.workspace_id is not None:
        raise Conflict({"slug": f"A workspace publishes the template {slug!r}; choose another slug."})
    if template is not None and template.latest_id and template.latest.digest == spec.digest:
        return template.latest
    return None


def template_import(*, document, source: str = Source.IMPORT) -> tuple[TemplateVersion, bool]:
    """Stores a template file as the installation's own (read-only) template: a new template,
    or a new version of the one with its slug when its content changed. Answers (the latest
    version, whether one was made). The same file twice makes nothing the second time."""
    spec = parse_template(document)
    same = _latest_unless_same(spec.slug, spec)
    if same is not None:
        return same, False
    result = run_self_test(spec)
    with transaction.atomic():
        template = Template.objects.select_for_update().filter(slug=spec.slug).first()
        if template is None:
            template = template_create(spec, source=source)
        same = _latest_unless_same(spec.slug, spec)  # again, under the lock: an import at the same moment
        if same is not None:
            return same, False
        return version_store(template, spec, result=result), True


def seed_load() -> dict:
    """The installation's seed library from builder/library/seed/: idempotent (setup runs it on
    every start), and each self-test run again after an upgrade of Stepwise; answers how many
    templates were added or updated, stayed, and could not be loaded (`skipped`: a slug a
    workspace took meanwhile, say), which never stops setup."""
    counts = {"stored": 0, "unchanged": 0, "skipped": []}
    for path in sorted(SEED_DIR.glob("*.json")):
        try:
            version, made = template_import(document=json.loads(path.read_text()), source=Source.SEED)
        except (Conflict, ValidationError) as exc:
            counts["skipped"].append(f"{path.name}: {'; '.join(exc.messages)}")
            continue
        counts["stored" if made else "unchanged"] += 1
        if not made and version.test_result.get("stepwise_version") != VERSION:
            template_verify(template=version.template)  # an upgrade: say what this version makes of it
    return counts


def template_verify(*, template: Template) -> dict:
    """Runs the latest version's self-test again and keeps its result: a failure takes the
    verified mark away, a pass gives it with this Stepwise version."""
    version = TemplateVersion.objects.select_related("template").get(pk=template.latest_id)
    result = run_self_test(spec_of(version))
    with transaction.atomic():
        TemplateVersion.objects.filter(pk=version.pk).update(test_result=result)
        # Only if it is still the latest: a publish meanwhile has its own result.
        Template.objects.filter(pk=template.pk, latest=version).update(
            verified_on=VERSION if result["passed"] else "", updated_at=timezone.now()
        )
    return result


def _given(workspace: Workspace, slot: str, connector: str, connection_id) -> int:
    if isinstance(connection_id, bool) or not isinstance(connection_id, int):
        raise ValidationError({f"bindings.{slot}": "Give a connection id, or null to bind it later."})
    connection = Connection.objects.filter(pk=connection_id, workspace=workspace).first()
    if connection is None:
        raise NoSuchObject({f"bindings.{slot}": f"There is no connection {connection_id} in this workspace."})
    if connection.connector != connector:
        message = f"{connection.name} is a {connection.connector} connection; this slot needs {connector}."
        raise ValidationError({f"bindings.{slot}": message})
    return connection.pk


def _only_fitting(workspace: Workspace, connector: str) -> int | None:
    fits = list(Connection.objects.filter(workspace=workspace, connector=connector).values_list("pk", flat=True)[:2])
    return fits[0] if len(fits) == 1 else None


def clone_bindings(template: Template, workspace: Workspace, bindings: dict | None) -> dict:
    """Each slot's connection: the one given (None leaves it for later), else the workspace's
    only connection of the slot's connector when exactly one fits."""
    slots = template.latest.definition.get("connections") or {}
    bindings = {} if bindings is None else bindings
    if not isinstance(bindings, dict):
        raise ValidationError({"bindings": "Bindings map connection slot names to connection ids."})
    unknown = {
        f"bindings.{slot}": "The template has no such connection slot." for slot in bindings if slot not in slots
    }
    if unknown:
        raise ValidationError(unknown)
    chosen = {}
    for slot, spec in slots.items():
        if slot in bindings:
            found = None if bindings[slot] is None else _given(workspace, slot, spec["connector"], bindings[slot])
        else:
            found = _only_fitting(workspace, spec["connector"])
        if found is not None:
            chosen[slot] = found
    return chosen


@transaction.atomic
def template_clone(*, template: Template, workspace: Workspace, author=None, bindings: dict | None = None) -> Recipe:
    """A new stopped recipe of the workspace whose draft (and first version, which says the
    template and version it came from) is the template's recipe, its slots bound, and the
    self-test's first case as the editor's test data, so that a test runs at once."""
    template = Template.objects.select_related("latest").get(pk=template.pk)
    version = template.latest
    chosen = clone_bindings(template, workspace, bindings)
    case = version.self_test["cases"][0]
    origin = {"template": template.pk, "slug": template.slug, "title": version.title, "version": version.number}
    recipe = recipe_import(workspace=workspace, document=version.definition, author=author, bindings=chosen,
                           comment=f"From the template “{version.title}”, version {version.number}", origin=origin,
                           samples={"trigger": case["trigger"], "pins": case.get("pins") or {}})  # fmt: skip
    Template.objects.filter(pk=template.pk).update(clone_count=F("clone_count") + 1)
    return recipe


@transaction.atomic
def template_use(*, template: Template, workspace: Workspace, author=None, bindings: dict | None = None,
                 new_connections: dict[str, dict] | None = None) -> Recipe:  # fmt: skip
    """Use this template: the connections asked for made in the workspace (`new_connections`,
    slot -> {"name", "fields"}) and bound to their slots, then the clone, all or nothing. A bad
    field of a new connection is named `new.<slot>.<field>` (`new.<slot>.name` for its name)."""
    slots = template.latest.definition.get("connections") or {}
    errors: dict[str, list[str]] = {}
    made = {}
    for slot, asked in (new_connections or {}).items():
        if slot not in slots:
            errors[f"new.{slot}"] = ["The template has no such connection slot."]
            continue
        try:
            made[slot] = connection_create(workspace=workspace, connector=slots[slot]["connector"],
                                           name=asked.get("name", ""), fields=asked.get("fields", {}),
                                           author=author).pk  # fmt: skip
        except ValidationError as exc:
            errors.update({f"new.{slot}.{key.removeprefix('fields.')}": messages
                           for key, messages in exc.message_dict.items()})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return template_clone(template=template, workspace=workspace, author=author, bindings={**(bindings or {}), **made})
