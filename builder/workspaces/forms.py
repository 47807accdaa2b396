from django import forms

from builder.workspaces.models import Role


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=100)


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.BUILDER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
