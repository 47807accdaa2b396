from django.contrib import admin

from builder.recipes.models import Recipe, RecipeVersion


class VersionInline(admin.TabularInline):
    model = RecipeVersion
    extra = 0
    fields = ["number", "author", "comment", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "state", "trigger_kind", "updated_at"]
    list_filter = ["state", "trigger_kind"]
    search_fields = ["name", "workspace__name"]
    inlines = [VersionInline]


@admin.register(RecipeVersion)
class RecipeVersionAdmin(admin.ModelAdmin):
    list_display = ["recipe", "number", "author", "created_at"]
    readonly_fields = ["recipe", "number", "definition", "author", "comment", "created_at"]
