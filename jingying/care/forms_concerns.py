"""Forms of the concern, field-visit and care-visit screens: input shape only; the services
validate the rules (style rule 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import CareReason, ConcernCategory, ConcernUrgency
from jingying.care.services.visits import PLAN_CRITERIA
from jingying.core import views_generic
from jingying.org.models import Dependent, Person, Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Tabler classes on every widget, and the invalid state where there are errors."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
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


class ServiceForm(forms.Form):
    def apply_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form)."""
        views_generic.apply_errors(self, exc)


def find_person(people: QuerySet[Person], ref: str) -> Person | None:
    """A person in `people` by police number, ID number or exact name (when unique)."""
    ref = ref.strip()
    if not ref:
        return None
    found = list(people.filter(Q(police_number=ref) | Q(id_number=ref.upper()))[:2])
    if not found:
        found = list(people.filter(name=ref)[:2])
    return found[0] if len(found) == 1 else None


class PersonRefField(forms.CharField):
    """A person typed as police number, ID number or name, looked up among `people`."""

    def __init__(self, *, people: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        self.people = people
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        person = find_person(self.people, text) if self.people is not None else None
        if person is None:
            raise ValidationError(_("找不到“%(ref)s”，请输入警号或身份证号（同名时）"), params={"ref": text})
        return person


class PeopleRefField(forms.CharField):
    """Several people, separated by commas or spaces."""

    def __init__(self, *, people: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        self.people = people
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value) or ""
        out, missing = [], []
        for ref in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
            if not ref.strip():
                continue
            person = find_person(self.people, ref) if self.people is not None else None
            (out.append(person) if person else missing.append(ref.strip()))
        if missing:
            raise ValidationError(_("找不到：%(refs)s"), params={"refs": "、".join(missing)})
        return out


class ConcernForm(ServiceForm):
    person = PersonRefField(label=_("提出人（警号或身份证号）"), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=ConcernCategory.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=ConcernUrgency.choices, initial=ConcernUrgency.NORMAL)
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    source_ref = forms.CharField(label=_("来源说明"), max_length=200, required=False,
                                 help_text=_("例如问卷名称和答卷编号、座谈会"))

    def __init__(self, *args: Any, people: QuerySet[Person] | None = None, for_self: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_self:
            del self.fields["person"]
            del self.fields["source_ref"]
        else:
            self.fields["person"].people = people  # type: ignore[attr-defined]
            self.fields["person"].required = True


class ConcernStepForm(ServiceForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class ConcernReassignForm(ServiceForm):
    unit = forms.ModelChoiceField(label=_("改派给"), queryset=Unit.objects.none())
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class ConcernRateForm(ServiceForm):
    rating = forms.TypedChoiceField(label=_("满意度"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(i, str(i)) for i in range(5, 0, -1)])
    comment = forms.CharField(label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=500)


class FieldVisitForm(ServiceForm):
    unit = forms.ModelChoiceField(label=_("走访单位"), queryset=Unit.objects.none())
    visit_date = forms.DateField(label=_("走访日期"), widget=DateInput())
    topic = forms.CharField(label=_("主题"), max_length=100)
    visitors = PeopleRefField(label=_("走访人员（警号，逗号分隔）"))
    visitors_text = forms.CharField(label=_("其他走访人员"), max_length=200, required=False)
    met_people = PeopleRefField(label=_("座谈人员（警号，逗号分隔）"))
    met_text = forms.CharField(label=_("其他座谈对象"), max_length=300, required=False)
    findings = forms.CharField(label=_("发现的问题和情况"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["visitors"].people = people  # type: ignore[attr-defined]
        self.fields["met_people"].people = people  # type: ignore[attr-defined]


class CareVisitForm(ServiceForm):
    person = PersonRefField(label=_("慰问对象（警号或身份证号）"))
    dependent = forms.ModelChoiceField(label=_("家属"), queryset=Dependent.objects.none(), required=False)
    visit_date = forms.DateField(label=_("慰问日期"), widget=DateInput())
    reason = forms.ChoiceField(label=_("慰问事由"), choices=CareReason.choices)
    visitors = forms.CharField(label=_("慰问人员"), max_length=200)
    money = forms.DecimalField(label=_("慰问金（元）"), max_digits=10, decimal_places=2, min_value=Decimal("0"),
                               required=False, initial=Decimal("0.00"))
    goods = forms.CharField(label=_("慰问品"), max_length=200, required=False)
    help_given = forms.CharField(label=_("帮扶措施"), max_length=300, required=False)
    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].people = people  # type: ignore[attr-defined]
        if person is not None:
            self.fields["dependent"].queryset = Dependent.objects.filter(person=person)  # type: ignore[attr-defined]
        else:
            # The family member is chosen after the person is known (edit page).
            data = self.data.get("person") if self.is_bound else None
            found = find_person(people, data) if data else None
            if found is not None:
                self.fields["dependent"].queryset = Dependent.objects.filter(person=found)  # type: ignore[attr-defined]


class CareVisitDecisionForm(ServiceForm):
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class CarePlanForm(ServiceForm):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class CarePlanGenerateForm(ServiceForm):
    criteria = forms.MultipleChoiceField(label=_("条件"), widget=forms.CheckboxSelectMultiple,
                                         choices=list(PLAN_CRITERIA.items()))


class CarePlanAddForm(ServiceForm):
    person = PersonRefField(label=_("人员（警号或身份证号）"))
    reason = forms.CharField(label=_("列入原因"), max_length=100, required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].people = people  # type: ignore[attr-defined]
