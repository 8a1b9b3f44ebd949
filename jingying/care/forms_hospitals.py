"""Forms of the hospital part: shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingying.care.choices_hospitals import ReferralStatus, ServiceKind
from jingying.care.models import GreenChannelService, PartnerHospital
from jingying.care.views.support_kit import set_queryset
from jingying.org.forms import bootstrap
from jingying.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HospitalForm(forms.ModelForm):
    class Meta:
        model = PartnerHospital
        fields = ["unit", "name", "level", "address", "contact_name", "contact_phone", "contract_start",
                  "contract_end", "note"]
        widgets = {"contract_start": DATE, "contract_end": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "unit", units if units is not None else Unit.objects.none())
        bootstrap(self)


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("服务类别"), choices=ServiceKind.choices)
    description = forms.CharField(label=_("服务说明"), max_length=200, required=False)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class WindowForm(forms.Form):
    location = forms.CharField(label=_("位置"), max_length=100)
    hours = forms.CharField(label=_("服务时间"), max_length=100, required=False)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReferralForm(forms.Form):
    person = forms.CharField(label=_("人员（警号或身份证号）"), max_length=18)
    hospital = forms.ModelChoiceField(label=_("医院"), queryset=PartnerHospital.objects.none())
    service = forms.ModelChoiceField(label=_("绿色通道服务"), queryset=GreenChannelService.objects.none(),
                                     required=False)
    reason = forms.CharField(label=_("转介原因"), widget=forms.Textarea(attrs={"rows": 3}))
    referred_on = forms.DateField(label=_("转介日期"), required=False, widget=DATE)

    def __init__(self, *args: Any, hospitals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = hospitals if hospitals is not None else PartnerHospital.objects.none()
        set_queryset(self, "hospital", qs)
        set_queryset(self, "service", GreenChannelService.objects.filter(hospital__in=qs).select_related("hospital"))
        bootstrap(self)


class ReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ReferralStatus.choices)
    seen_on = forms.DateField(label=_("就诊日期"), required=False, widget=DATE)
    outcome = forms.CharField(label=_("诊疗结果"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
