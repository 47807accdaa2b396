import factory

from builder.workspaces.models import Membership, Workspace

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = "builder"


def published_recipe(*, workspace, definition, **kwargs):
    """A stopped recipe whose draft is published: its live version is what jobs run."""
    from builder.recipes.drafts import recipe_publish
    from builder.recipes.selectors import recipe_reloaded
    from builder.recipes.services import recipe_create

    recipe = recipe_create(workspace=workspace, definition=definition, **kwargs)
    recipe_publish(recipe=recipe)
    return recipe_reloaded(recipe)
