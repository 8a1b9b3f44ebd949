"""Forms of the rights-protection screens: they parse the input; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import RightsActionKind, RightsIncident, RightsStatus
from jingying.care.services.support_common import people_by_refs, split_refs
from jingying.care.views.support_kit import DateInput, set_queryset
from jingying.org.models import Person, Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * obj.depth + obj.name


class RightsCaseForm(forms.Form):
    unit = UnitChoiceField(label=_("承办单位"), queryset=Unit.objects.none())
    officers = forms.CharField(label=_("涉及民警"), widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("填写警号或身份证号，多人用空格或换行分隔"))
    incident_kind = forms.ChoiceField(label=_("侵权类型"), choices=RightsIncident.choices)
    incident_date = forms.DateField(label=_("发生日期"), widget=DateInput())
    place = forms.CharField(label=_("发生地点"), max_length=200)
    description = forms.CharField(label=_("经过"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, actor: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        set_queryset(self, "unit", units)

    def clean_officers(self) -> list[Person]:
        try:
            people = people_by_refs(self.actor, split_refs(self.cleaned_data.get("officers", "")), field="officers")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["officers"]) from None
        if not people:
            raise ValidationError(_("请至少填写一名涉及民警"))
        return people


class RightsAdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("推进到"), choices=[c for c in RightsStatus.choices if c[0] != "registered"])
    outcome = forms.CharField(label=_("处理结果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RightsActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("措施"), choices=RightsActionKind.choices)
    date = forms.DateField(label=_("日期"), widget=DateInput())
    handled_by = forms.CharField(label=_("承办人"), max_length=100)
    result = forms.CharField(label=_("结果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RightsEvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据文件"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


def case_initial(case: Any) -> dict[str, Any]:
    refs = [v.person.police_number or v.person.id_number for v in case.victims.select_related("person")]
    return {"unit": case.unit_id, "officers": " ".join(refs), "incident_kind": case.incident_kind,
            "incident_date": case.incident_date, "place": case.place, "description": case.description}
