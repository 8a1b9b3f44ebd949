"""Forms for people and their families.

Forms only parse and check the shape of the input; the services validate the rest (ID number
checksum, agreement with birth date, uniqueness) and their errors are put back on the form by
`apply_errors`, so the UI, the API and the Excel import give the same Chinese message.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jingying.core import views_generic
from jingying.org.choices import ETHNICITIES, ethnicity_label
from jingying.org.models import Dependent, Person, Unit
from jingying.org.services import DEPENDENT_FIELDS

PERSON_FORM_FIELDS = [
    "name", "gender", "ethnicity", "birth_date", "id_number", "police_number", "category", "unit",
    "position", "rank", "rank_technical", "level", "political_status", "education",
    "police_start_date", "phone", "status",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        # Indent by depth so the tree reads in a plain <select>.
        return "\u3000" * obj.depth + obj.name


class _ServiceValidatedForm(forms.ModelForm):
    """A ModelForm that leaves the instance alone: the service applies and validates changes.

    Django's ModelForm copies cleaned values onto the instance during is_valid(); the
    service would then see no difference to record in history, so that step is skipped.
    """

    def _post_clean(self) -> None:
        return None

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}

    def apply_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form)."""
        views_generic.apply_errors(self, exc)


class PersonForm(_ServiceValidatedForm):
    class Meta:
        model = Person
        fields = PERSON_FORM_FIELDS
        widgets = {"birth_date": DateInput(), "police_start_date": DateInput()}

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            queryset=units, label=Person._meta.get_field("unit").verbose_name,
            error_messages={"invalid_choice": _("请选择您有权管理的单位")},
        )
        self.fields["id_number"].help_text = _("18 位，最后一位可为 X；出生日期和性别须与之一致")
        self.fields["police_number"].help_text = _("民警填写，6 位数字")
        self.fields["police_number"].required = False
        # The stored names are Chinese (rosters use them); show them in the user's language.
        cast(forms.ChoiceField, self.fields["ethnicity"]).choices = [(code, ethnicity_label(code)) for code, _name in ETHNICITIES]

    def clean_police_number(self) -> str | None:
        # Stored as NULL when absent so the unique constraint allows many empty ones.
        return self.cleaned_data.get("police_number") or None

    def clean_id_number(self) -> str:
        from jingying.org import idnumber

        return idnumber.normalise(self.cleaned_data.get("id_number", ""))


class DependentForm(_ServiceValidatedForm):
    class Meta:
        model = Dependent
        fields = DEPENDENT_FIELDS
        widgets = {"birth_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_id_number(self) -> str:
        from jingying.org import idnumber

        raw = self.cleaned_data.get("id_number", "")
        if not raw:
            return ""
        try:
            return idnumber.parse(raw).value
        except idnumber.IdNumberError as exc:
            raise ValidationError(str(exc)) from None


def _blank_label(field: forms.Field) -> None:
    """"请选择" instead of Django's "---------" as the empty option of a select."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = _("请选择")
    elif isinstance(field, forms.ChoiceField) and field.choices:
        choices = list(field.choices)  # type: ignore[arg-type]
        if choices[0][0] in ("", None) and choices[0][1] != _("请选择"):
            field.choices = [("", _("请选择")), *choices[1:]]


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Tabler/Bootstrap classes on every widget, and the invalid state where there are errors."""
    for name, field in form.fields.items():
        _blank_label(field)
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = css
    return form
