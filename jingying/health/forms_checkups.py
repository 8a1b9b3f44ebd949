"""Forms of the checkup part: shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jingying.care.models import GreenChannelService, PartnerHospital
from jingying.health.checkup_codes import FINDING_CHOICES
from jingying.health.models import CheckupPlan, FollowUpStatus
from jingying.org.forms import bootstrap
from jingying.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's model choice field, typed as such (form.fields holds plain `Field`s for mypy)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(name)
    return field


class CheckupPlanForm(forms.ModelForm):
    class Meta:
        model = CheckupPlan
        fields = ["unit", "year", "hospital", "start_date", "end_date", "note"]
        widgets = {"start_date": DATE, "end_date": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, units: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units if units is not None else Unit.objects.none()
        model_choice(self, "hospital").queryset = PartnerHospital.objects.select_related("unit").order_by("name")
        if editing:
            del self.fields["unit"]
        bootstrap(self)

    def validate_unique(self) -> None:
        """The service reports a second plan for the same unit and year, in Chinese."""


class ResultForm(forms.Form):
    done_on = forms.DateField(label=_("体检日期"), widget=DATE)
    conclusion = forms.CharField(label=_("总检结论"), widget=forms.Textarea(attrs={"rows": 4}))
    findings = forms.MultipleChoiceField(label=_("异常项"), choices=FINDING_CHOICES, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["findings"].widget.attrs["class"] = "form-check-input"


class BookForm(forms.Form):
    booked_on = forms.DateField(label=_("预约日期"), widget=DATE)


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=FollowUpStatus.choices)
    due_date = forms.DateField(label=_("随访期限"), required=False, widget=DATE)
    note = forms.CharField(label=_("随访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReferForm(forms.Form):
    hospital = forms.ModelChoiceField(label=_("医院"), queryset=PartnerHospital.objects.none())
    service = forms.ModelChoiceField(label=_("绿色通道服务"), queryset=GreenChannelService.objects.none(),
                                     required=False)
    reason = forms.CharField(label=_("转介原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, hospitals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = hospitals if hospitals is not None else PartnerHospital.objects.none()
        model_choice(self, "hospital").queryset = qs
        model_choice(self, "service").queryset = (GreenChannelService.objects.filter(hospital__in=qs)
                                                  .select_related("hospital"))
        bootstrap(self)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("医院体检结果表（.xlsx）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.JINGYING_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(_("文件太大，上限为 %(limit)d MB。") % {"limit": limit // 2**20})
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只接受 .xlsx 文件；请先在 Excel 中“另存为 Excel 工作簿（*.xlsx）”。"))
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(_("该文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名。"))
        return upload


def form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto the form (fields it has, the rest as form errors)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
