"""Survey screens: officers answer ("我的问卷"); political staff build questionnaires, run
campaigns and read k-suppressed results. Thin views over selectors and services."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.core.scoping import covers, has_perm
from jingying.core.views_generic import is_htmx, paginate, render_page, require_perm
from jingying.org import selectors as org_selectors
from jingying.org.forms import bootstrap
from jingying.surveys import indices as index_defs
from jingying.surveys import logic, selectors, services, transfer
from jingying.surveys.choices import CampaignKind, QuestionKind
from jingying.surveys.forms import (
    CampaignEditForm,
    CampaignForm,
    ImportForm,
    QuestionForm,
    QuestionnaireForm,
    VersionForm,
)
from jingying.surveys.models import Campaign, ResultsExport
from jingying.surveys.views_analysis import ANALYSIS_TABS, analysis_context

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- officers ------------------------------------------------------------------------------


def my_surveys(request: HttpRequest) -> HttpResponse:
    require_perm(request, "surveys.answer_campaign")
    actor = request.user
    invitations = list(selectors.my_invitations(actor=actor)[:100])
    now = timezone.now()
    reminders = list(selectors.my_reminders(actor=actor)[:20])
    if reminders:
        services.reminders_mark_read(actor=actor)
    context = {
        "open": [i for i in invitations if not i.answered and i.campaign.is_open(now)],
        "done": [i for i in invitations if i.answered],
        "other": [i for i in invitations if not i.answered and not i.campaign.is_open(now)],
        "reminders": reminders,
        "has_person": getattr(actor, "person_id", None) is not None,
    }
    return render_page(request, "surveys/my_surveys.html", context)


def _answer_questions(campaign: Campaign) -> list[dict[str, Any]]:
    return [{"q": q, "spec": logic.Spec.of(q)} for q in selectors.campaign_questions(campaign)]


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    invitation = selectors.access_invitation(actor, pk)
    campaign = invitation.campaign
    items = _answer_questions(campaign)
    context: dict[str, Any] = {"campaign": campaign, "items": items, "errors": {}, "values": {}}
    if invitation.answered:
        return render_page(request, "surveys/answered.html", context, status=409 if request.method == "POST" else 200)
    if not campaign.is_open():
        context["closed"] = True
        return render_page(request, "surveys/answered.html", context, status=400 if request.method == "POST" else 200)
    status = 200
    if request.method == "POST":
        specs = [item["spec"] for item in items]
        raw = logic.parse_form(specs, request.POST)
        try:
            services.response_submit(actor=actor, campaign_id=campaign.pk, raw=raw)
        except services.AlreadyAnsweredError:
            return render_page(request, "surveys/answered.html", context, status=409)
        except ValidationError as exc:
            context["errors"] = ({k: " ".join(v) for k, v in exc.message_dict.items()}
                                 if hasattr(exc, "error_dict") else {"__all__": " ".join(exc.messages)})
            context["values"] = raw
            context["form_error"] = context["errors"].get("__all__", "")
            status = 400
        else:
            return redirect("surveys:thanks", pk=campaign.pk)
    for item in items:
        _prepare(item, context["values"].get(item["q"].code), context["errors"].get(item["q"].code, ""))
    return render_page(request, "surveys/answer.html", context, status=status)


def _prepare(item: dict[str, Any], value: Any, error: str) -> None:
    """What the template needs to draw one question with the answer given so far."""
    q = item["q"]
    item["value"], item["error"] = value, error
    item["show_if"] = json.dumps(q.show_if, ensure_ascii=False) if q.show_if else ""
    chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)} if value not in (None, "") else set()
    item["options"] = [{"value": str(o.get("value")), "label": o.get("label"),
                        "checked": str(o.get("value")) in chosen} for o in q.options or []]
    if q.kind == QuestionKind.MATRIX:
        given = value if isinstance(value, dict) else {}
        item["rows"] = [{"code": r.get("code"), "label": r.get("label"),
                         "options": [{"value": str(o.get("value")), "label": o.get("label"),
                                      "checked": str(given.get(str(r.get("code")), "")) == str(o.get("value"))}
                                     for o in q.options or []]} for r in q.rows or []]


def anonymity(request: HttpRequest) -> HttpResponse:
    return render_page(request, "surveys/anonymity.html", {"k": services.k_min()})


def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(request.user, pk)
    # Identified screening with a positive safety item: crisis resources and a word that a
    # counsellor will call, never a bare score (instruments.md §12.2).
    safety = not invitation.campaign.anonymous and selectors.my_safety_flag(actor=request.user,
                                                                           campaign=invitation.campaign)
    return render_page(request, "surveys/thanks.html", {"campaign": invitation.campaign, "safety": safety})


# --- questionnaires ------------------------------------------------------------------------


def _manage_units(actor: Any, perm: str) -> Any:
    return org_selectors.unit_list(actor=actor, perm=perm).filter(depth__lte=3)


def questionnaire_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "surveys.view_questionnaire")
    actor = request.user
    page = paginate(request, selectors.questionnaire_list(actor=actor))
    can_add = has_perm(actor, "surveys.manage_questionnaire")
    context = {
        "page": page,
        "can_add": can_add,
        "import_form": bootstrap(ImportForm(units=_manage_units(actor, "surveys.manage_questionnaire"))) if can_add else None,
    }
    return render_page(request, "surveys/questionnaire_list.html", context)


@require_http_methods(["GET", "POST"])
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "surveys.manage_questionnaire")
    actor = request.user
    form = QuestionnaireForm(request.POST or None, units=_manage_units(actor, "surveys.manage_questionnaire"))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.questionnaire_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return redirect("surveys:version_detail", pk=version.pk)
    return render_page(request, "surveys/form.html", {"form": bootstrap(form), "title": _("新建问卷"),
                                                      "cancel": reverse("surveys:questionnaire_list")},
                       status=400 if request.method == "POST" else 200)


@require_POST
def questionnaire_import(request: HttpRequest) -> HttpResponse:
    require_perm(request, "surveys.manage_questionnaire")
    actor = request.user
    form = ImportForm(request.POST, request.FILES, units=_manage_units(actor, "surveys.manage_questionnaire"))
    if form.is_valid():
        try:
            version = services.questionnaire_import(actor=actor, unit=form.cleaned_data["unit"],
                                                    data=form.cleaned_data["file"])
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已导入，请检查后发布"))
            return redirect("surveys:version_detail", pk=version.pk)
    return render_page(request, "surveys/form.html", {"form": bootstrap(form), "title": _("导入问卷"), "multipart": True,
                                                      "action": reverse("surveys:questionnaire_import"),
                                                      "cancel": reverse("surveys:questionnaire_list")}, status=400)


def questionnaire_latest(request: HttpRequest, pk: int) -> HttpResponse:
    """A questionnaire opens on its draft if it has one, else on its latest version."""
    questionnaire = selectors.access_questionnaire(request.user, pk)
    version = questionnaire.versions.order_by("status", "-number").first()  # "draft" sorts first
    if version is None:
        raise Http404
    return redirect("surveys:version_detail", pk=version.pk)


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The builder: a draft's questions with edit/move/delete; a published version read-only."""
    actor = request.user
    version = selectors.access_version(actor, pk)
    questionnaire = version.questionnaire
    can_edit = covers(actor, "surveys.manage_questionnaire", questionnaire.unit.path)
    context = {
        "version": version,
        "questionnaire": questionnaire,
        "versions": list(questionnaire.versions.order_by("-number")),
        "questions": list(version.questions.order_by("position")),
        "can_edit": can_edit and not version.frozen,
        "can_revise": can_edit and version.frozen,
        "can_send": version.frozen and has_perm(actor, "surveys.manage_campaign"),
        "can_indices": can_edit,
        "indices": [{**i, "items_text": index_defs.format_items(i.get("items") or [])} for i in version.indices or []],
    }
    return render_page(request, "surveys/version_detail.html", context,
                       fragments={"questions": "surveys/partials/question_list.html"})


@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    version = selectors.access_version(actor, pk, for_write=True)
    form = VersionForm(request.POST or None, initial={"title": version.title, "intro": version.intro})
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(actor=actor, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return redirect("surveys:version_detail", pk=version.pk)
    return render_page(request, "surveys/form.html", {"form": bootstrap(form), "title": _("编辑问卷说明"),
                                                      "cancel": reverse("surveys:version_detail", args=[pk])},
                       status=400 if request.method == "POST" else 200)


@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    version = selectors.access_version(actor, pk, for_write=True)
    try:
        services.version_publish(actor=actor, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已发布：此版本从此不能修改，可以发送了"))
    return redirect("surveys:version_detail", pk=pk)


@require_POST
def version_revise(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    version = selectors.access_version(actor, pk, for_write=True)
    draft = services.version_revise(actor=actor, version=version)
    return redirect("surveys:version_detail", pk=draft.pk)


def version_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(request.user, pk)
    body = json.dumps(transfer.export(version), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"{version.questionnaire.code}-v{version.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _question_done(request: HttpRequest, version_pk: int) -> HttpResponse:
    if is_htmx(request):
        version = selectors.access_version(request.user, version_pk)
        return render_page(request, "surveys/partials/question_list.html", {
            "version": version, "questions": list(version.questions.order_by("position")), "can_edit": True})
    return redirect(reverse("surveys:version_detail", args=[version_pk]) + "#questions")


@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    version = selectors.access_version(actor, pk, for_write=True)
    earlier = list(version.questions.order_by("position"))
    form = QuestionForm(request.POST or None, earlier=earlier, initial={"code": f"q{len(earlier) + 1}", "required": True,
                                                                "kind": QuestionKind.SINGLE})
    if request.method == "POST" and form.is_valid():
        try:
            services.question_create(actor=actor, version=version, **form.fields_for_service())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return _question_done(request, version.pk)
    return render_page(request, "surveys/question_form.html",
                       {"form": bootstrap(form), "version": version, "question": None},
                       fragment="surveys/partials/question_form.html", status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    question = selectors.access_question(actor, pk)
    version = question.version
    earlier = [q for q in version.questions.order_by("position") if q.position < question.position]
    form = QuestionForm(request.POST or None, earlier=earlier, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(actor=actor, question=question, **form.fields_for_service())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return _question_done(request, version.pk)
    return render_page(request, "surveys/question_form.html",
                       {"form": bootstrap(form), "version": version, "question": question},
                       fragment="surveys/partials/question_form.html", status=400 if request.method == "POST" else 200)


@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    question = selectors.access_question(actor, pk)
    version_pk = question.version_id
    try:
        services.question_delete(actor=actor, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:version_detail", pk=version_pk)
    return _question_done(request, version_pk)


@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    question = selectors.access_question(actor, pk)
    try:
        services.question_move(actor=actor, question=question, offset=-1 if request.POST.get("dir") == "up" else 1)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:version_detail", pk=question.version_id)
    return _question_done(request, question.version_id)


# --- campaigns -----------------------------------------------------------------------------


def campaign_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "surveys.view_campaign")
    actor = request.user
    filters = {k: request.GET[k].strip() for k in ("state", "kind", "q") if request.GET.get(k, "").strip()}
    page = paginate(request, selectors.campaign_list(actor=actor, filters=filters))
    context = {"page": page, "filters": filters, "now": timezone.now(),
               "can_add": has_perm(actor, "surveys.manage_campaign")}
    return render_page(request, "surveys/campaign_list.html", context, fragment="surveys/partials/campaign_rows.html")


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "surveys.manage_campaign")
    actor = request.user
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0)
    form = CampaignForm(request.POST or None, versions=selectors.published_versions(actor=actor),
                        units=_manage_units(actor, "surveys.manage_campaign"),
                        initial={"version": request.GET.get("version"), "kind": CampaignKind.ANONYMOUS,
                                 "opens_at": start, "closes_at": start + dt.timedelta(days=14),
                                 "k_threshold": services.k_min()})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if campaign.kind == CampaignKind.PUBLIC:
                from jingying.surveys.public import public_link_ensure

                public_link_ensure(campaign=campaign)
                messages.success(request, _("已创建公开评价，可打印二维码海报张贴"))
            else:
                messages.success(request, _("已创建，已向范围内 %(n)d 人发出邀请") % {"n": campaign.invitations.count()})
            return redirect("surveys:campaign_detail", pk=campaign.pk)
    return render_page(request, "surveys/form.html", {"form": bootstrap(form), "title": _("发起问卷调查"),
                                                      "cancel": reverse("surveys:campaign_list")},
                       status=400 if request.method == "POST" else 200)


def _unit_param(request: HttpRequest, campaign: Campaign) -> Any:
    unit_id = request.GET.get("unit")
    if not unit_id:
        return None
    unit = org_selectors.access_unit(request.user, unit_id)
    if not unit.path.startswith(campaign.unit.path):
        raise Http404
    return unit


def _start_unit(request: HttpRequest, campaign: Campaign, perm: str) -> Any:
    unit = _unit_param(request, campaign)
    if unit is not None:
        if not covers(request.user, perm, unit.path):
            raise Http404
        return unit
    tops = selectors.results_units(actor=request.user, campaign=campaign, perm=perm)
    if not tops:
        raise Http404
    return tops[0]


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_campaign(actor, pk)
    unit = _start_unit(request, campaign, "surveys.view_campaign")
    head, children = selectors.campaign_rates(campaign=campaign, unit=unit)
    can_manage = covers(actor, "surveys.manage_campaign", campaign.unit.path)
    context = {
        "campaign": campaign, "unit": unit, "head": head, "children": children,
        "breadcrumbs": [u for u in org_selectors.unit_ancestors(unit)
                        if u.path.startswith(campaign.unit.path) and covers(actor, "surveys.view_campaign", u.path)][:-1],
        "is_open": campaign.is_open(), "can_manage": can_manage,
        "can_results": has_perm(actor, "surveys.view_results"),
        **_public_context(request, campaign, can_manage),
    }
    return render_page(request, "surveys/campaign_detail.html", context, fragment="surveys/partials/rates.html")


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_campaign(actor, pk, perm="surveys.manage_campaign")
    form = CampaignEditForm(request.POST or None, initial={"title": campaign.title, "intro": campaign.intro,
                                                           "closes_at": timezone.localtime(campaign.closes_at)})
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=actor, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return redirect("surveys:campaign_detail", pk=pk)
    return render_page(request, "surveys/form.html", {"form": bootstrap(form), "title": _("修改问卷调查"),
                                                      "note": _("问卷、范围和匿名/实名方式在创建后不能更改。"),
                                                      "cancel": reverse("surveys:campaign_detail", args=[pk])},
                       status=400 if request.method == "POST" else 200)


@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    from jingying.surveys.tasks import campaign_send_reminders

    actor: Any = request.user
    campaign = selectors.access_campaign(actor, pk, perm="surveys.manage_campaign")
    if not campaign.is_open():
        messages.error(request, _("问卷不在作答期内，不能发送提醒"))
    else:
        campaign_send_reminders.enqueue(campaign.pk, actor.pk)
        messages.success(request, _("已安排向尚未作答的人员发送提醒"))
    return redirect("surveys:campaign_detail", pk=pk)


@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_campaign(actor, pk, perm="surveys.manage_campaign")
    services.campaign_close(actor=actor, campaign=campaign)
    messages.success(request, _("已结束"))
    return redirect("surveys:campaign_detail", pk=pk)


def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_campaign(actor, pk, perm="surveys.view_results")
    if not campaign.finalised and campaign.closes_at <= timezone.now():
        services.campaign_finalise(campaign=campaign)
    unit = _start_unit(request, campaign, "surveys.view_results")
    tab = request.GET.get("tab", "dist")
    tab = tab if tab in ANALYSIS_TABS else "dist"
    results = selectors.campaign_results(actor=actor, campaign=campaign, unit=unit, with_texts=tab == "dist")
    can_export = results.shown and has_perm(actor, "surveys.export_results")
    context = {
        "campaign": campaign, "r": results, "tab": tab,
        **(analysis_context(request, campaign, unit, tab) if results.shown else {}),
        "breadcrumbs": [u for u in org_selectors.unit_ancestors(unit)
                        if u.path.startswith(campaign.unit.path) and covers(actor, "surveys.view_results", u.path)][:-1],
        "can_export": can_export,
        "latest_export": selectors.my_latest_export(actor=actor, campaign=campaign, unit=results.unit)
        if can_export else None,
        **_public_context(request, campaign, covers(actor, "surveys.manage_campaign", campaign.unit.path)),
    }
    return render_page(request, "surveys/campaign_results.html", context)


def _public_context(request: HttpRequest, campaign: Campaign, can_manage: bool) -> dict[str, Any]:
    """A public campaign's address and its submissions by status (held ones await review)."""
    if campaign.kind != CampaignKind.PUBLIC:
        return {}
    from jingying.surveys import public
    from jingying.surveys.public_views import public_url

    link = public.link_of(campaign)
    assert link is not None
    return {"public": {"url": public_url(request, link.token), "counts": public.status_counts(campaign),
                       "can_review": can_manage}}


@require_POST
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Start building the results workbook in the background; the job page (or, for htmx, its
    status fragment in place of the button) polls until the download link appears."""
    from jingying.surveys import services_export

    require_perm(request, "surveys.export_results")
    actor = request.user
    campaign = selectors.access_campaign(actor, pk, perm="surveys.view_results")
    unit = _start_unit(request, campaign, "surveys.export_results")
    results_url = f"{reverse('surveys:campaign_results', args=[campaign.pk])}?unit={unit.pk}"
    try:
        job = services_export.results_export_request(actor=actor, campaign=campaign, unit=unit,
                                                     language=get_language())
    except ValidationError as exc:
        # Nothing to export until k people have answered; say so on the results page.
        messages.warning(request, " ".join(exc.messages))
        return redirect(results_url)
    if is_htmx(request):
        return render_page(request, "surveys/partials/export_status.html", {"job": job}, status=202)
    return redirect("surveys:export_job", pk=job.pk)


def _export_job(request: HttpRequest, pk: Any) -> ResultsExport:
    """The user's own export, or 404 (someone else's is indistinguishable from none)."""
    user_id = getattr(request.user, "pk", None)
    job = ResultsExport.objects.select_related("campaign__unit", "unit").filter(pk=pk, created_by_id=user_id).first()
    if job is None:
        raise Http404
    return job


def export_job(request: HttpRequest, pk: Any) -> HttpResponse:
    """The export's page; while it runs, its status fragment polls itself (htmx)."""
    job = _export_job(request, pk)
    return render_page(request, "surveys/export_job.html", {"job": job, "campaign": job.campaign},
                       fragment="surveys/partials/export_status.html")


def export_download(request: HttpRequest, pk: Any) -> FileResponse:
    """The finished workbook, for its requester who may still export that unit (else 404)."""
    from jingying.surveys import services_export

    job = _export_job(request, pk)
    path = services_export.results_export_open(actor=request.user, job=job)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name, content_type=XLSX_TYPE)


urlpatterns = [
    path("", my_surveys, name="mine"),
    path("<int:pk>/answer/", answer, name="answer"),
    path("<int:pk>/thanks/", thanks, name="thanks"),
    path("anonymity/", anonymity, name="anonymity"),
    path("questionnaires/", questionnaire_list, name="questionnaire_list"),
    path("questionnaires/add/", questionnaire_create, name="questionnaire_create"),
    path("questionnaires/import/", questionnaire_import, name="questionnaire_import"),
    path("questionnaires/<int:pk>/", questionnaire_latest, name="questionnaire_latest"),
    path("versions/<int:pk>/", version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", version_edit, name="version_edit"),
    path("versions/<int:pk>/publish/", version_publish, name="version_publish"),
    path("versions/<int:pk>/revise/", version_revise, name="version_revise"),
    path("versions/<int:pk>/export.json", version_export, name="version_export"),
    path("versions/<int:pk>/questions/add/", question_create, name="question_create"),
    path("questions/<int:pk>/edit/", question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", question_move, name="question_move"),
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/add/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/remind/", campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/close/", campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/results/", campaign_results, name="campaign_results"),
    path("campaigns/<int:pk>/export/", campaign_export, name="campaign_export"),
    path("exports/<uuid:pk>/", export_job, name="export_job"),
    path("exports/<uuid:pk>/download/", export_download, name="export_download"),
]
