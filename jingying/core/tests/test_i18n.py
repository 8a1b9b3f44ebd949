"""The English catalogue keeps up with the Chinese msgids (docs/decisions/0002).

(a) every entry of locale/en/LC_MESSAGES/django.po is translated, not fuzzy, keeps its
    placeholders, and the committed .mo holds exactly those translations (compiled after the
    last edit);
(b) the main screens rendered in English contain no Chinese: the data below is all Latin, so any
    CJK character left on a page is a string that is not marked for translation, or a msgid the
    catalogue does not have yet (run makemessages: see README, Translations).
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.core.testing import login_client
from jingying.org.choices import Category, PersonStatus, Rank, UnitKind
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import DependentFactory, PersonFactory, make_unit, make_user
from jingying.surveys import services
from jingying.surveys.choices import CampaignKind, QuestionKind
from jingying.surveys.models import QuestionnaireVersion
from jingying.surveys.tests.factories import make_campaign

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# CJK ideographs, CJK punctuation (、。「」) and full-width forms (，：（）); not the ideographic
# space, which indents nested units in the unit pickers.
CJK = re.compile(r"[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]")


# --- (a) the catalogue ----------------------------------------------------------------------

def parse_po(text: str) -> list[dict[str, Any]]:
    """Entries of a .po file: {"flags": set, "msgid": str, "msgid_plural": str | None,
    "msgstr": [str, ...], "line": int}. Enough of the format for what makemessages writes."""
    entries: list[dict[str, Any]] = []
    entry: dict[str, Any] | None = None
    key = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [],
                     "line": number, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                entry["msgstr"][-1] += value
            else:
                entry[key] += value
            continue
        key, _sep, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if key.startswith("msgstr"):
            entry["msgstr"].append(value)
        else:
            entry[key] = value
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if not e["obsolete"]]


@pytest.fixture(scope="module")
def catalogue() -> list[dict[str, Any]]:
    entries = parse_po(PO.read_text(encoding="utf-8"))
    return [e for e in entries if e["msgid"]]  # without the header


def where(entry: dict[str, Any]) -> str:
    return f"django.po line {entry['line']}: {entry['msgid']!r}"


def test_the_catalogue_is_substantial(catalogue: list[dict[str, Any]]) -> None:
    assert len(catalogue) > 500
    assert not [where(e) for e in catalogue if e["msgid_plural"] is not None and len(e["msgstr"]) != 2]


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue: list[dict[str, Any]]) -> None:
    untranslated = [where(e) for e in catalogue if not e["msgstr"] or not all(s.strip() for s in e["msgstr"])]
    fuzzy = [where(e) for e in catalogue if "fuzzy" in e["flags"]]
    assert not untranslated, "untranslated (see README, Translations):\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy — the Chinese changed; re-translate and drop the flag:\n" + "\n".join(fuzzy)


def test_translations_are_english_and_keep_their_placeholders(catalogue: list[dict[str, Any]]) -> None:
    wrong = []
    for e in catalogue:
        wanted = sorted(PLACEHOLDER.findall(e["msgid_plural"] or e["msgid"]))
        for s in e["msgstr"]:
            if sorted(PLACEHOLDER.findall(s)) != wanted and "python-format" in e["flags"]:
                wrong.append(f"{where(e)} -> {s!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)
    # Chinese is allowed in an English string only where the user must type or read it as
    # Chinese (roster column names and values, which the importer matches).
    still_chinese = [where(e) for e in catalogue for s in e["msgstr"] if 2 * len(CJK.findall(s)) > len(s)]
    assert not still_chinese, "left in Chinese:\n" + "\n".join(still_chinese)


def test_the_compiled_catalogue_matches_the_po(catalogue: list[dict[str, Any]]) -> None:
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in catalogue:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] is not None else e["msgid"]
        if e["msgid_plural"] is None:
            if compiled.get(key) != e["msgstr"][0]:
                stale.append(where(e))
        elif [compiled.get((key, i)) for i in range(len(e["msgstr"]))] != e["msgstr"]:
            stale.append(where(e))
    assert not stale, "django.mo is stale — run `jingying manage compilemessages -l en`:\n" + "\n".join(stale)


# --- (b) pages in English -----------------------------------------------------------------

def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@functools.cache
def quoting_chinese() -> list[str]:
    """English strings that quote Chinese on purpose (roster column names and values, which the
    importer matches), as they appear in HTML."""
    entries = parse_po(PO.read_text(encoding="utf-8"))
    found = {s for e in entries if e["msgid"] for s in e["msgstr"] if CJK.search(s)}
    return sorted({escape(s) for s in found} | found, key=len, reverse=True)


def chinese_left(html: str) -> list[str]:
    """CJK text on an English page, with some context, apart from the language selector's
    own name for Chinese and translations that quote Chinese on purpose."""
    html = html.replace("简体中文", "")
    for text in quoting_chinese():
        html = html.replace(text, "")
    return [html[max(0, m.start() - 60): m.end() + 60].replace("\n", " ") for m in CJK.finditer(html)]


def assert_english(client: Client, url: str, status: int = 200, data_cells: tuple[str, ...] = ()) -> str:
    """The page at `url` in English; `data_cells`: table columns (by their data-label) that hold
    stored text, left out of the check."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    html = response.content.decode()
    assert 'lang="en"' in html, url
    checked = html
    for label in data_cells:
        checked = re.sub(rf'<td data-label="{label}">.*?</td>', "", checked, flags=re.S)
    left = chinese_left(checked)
    assert not left, f"{url} shows Chinese:\n" + "\n".join(left[:15])
    return html


def latin_version(unit: Unit, code: str, title: str, questions: list[dict[str, Any]],
                  publish: bool = True) -> QuestionnaireVersion:
    version = services.questionnaire_create(actor=SYSTEM, unit=unit, code=code, title=title, intro="Hello")
    for q in questions:
        services.question_create(actor=SYSTEM, version=version, **q)
    if publish:
        services.version_publish(actor=SYSTEM, version=version)
    return version


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """A small force named in Latin letters, with a bit of everything the screens show."""
    region = make_unit(None, "150000", "Region Bureau", UnitKind.DEPARTMENT, "Region")
    city = make_unit(region, "150100", "Hohhot City Bureau", UnitKind.CITY_BUREAU, "Hohhot")
    county = make_unit(city, "150102", "Xincheng District Bureau", UnitKind.COUNTY_BUREAU, "Xincheng")
    station = make_unit(county, "150102001", "Haidong Road Station", UnitKind.STATION, "Haidong")
    officer = PersonFactory(unit=station, name="Bayar Aodeng", ethnicity="02", rank=Rank.choices[7][0],
                            rank_technical=True, police_number="123456", position="Station chief",
                            police_start_date=dt.date(2005, 7, 1), phone="13800000000")
    PersonFactory(unit=station, name="Li Ming", category=Category.AUXILIARY, police_number="",
                  status=PersonStatus.SECONDED)
    DependentFactory(person=officer, name="Bayar Tana", school="No. 2 Primary School")
    political = make_user("political", role=Role.POLITICAL, unit=city, display_name="Political Officer")
    officer_user = make_user("officer", role=Role.OFFICER, unit=station, person=officer, display_name="Bayar")
    questions = [
        {"code": "s1", "kind": QuestionKind.SECTION, "text": "Work", "required": False},
        {"code": "mood", "kind": QuestionKind.RATING, "text": "How satisfied are you with your work?",
         "options": [{"value": str(v), "label": f"Level {v}"} for v in range(1, 6)]},
        {"code": "stress", "kind": QuestionKind.SINGLE, "text": "Under pressure lately?",
         "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]},
        {"code": "why", "kind": QuestionKind.MULTIPLE, "text": "Mainly because of", "required": False,
         "options": [{"value": "duty", "label": "Calls"}, {"value": "overtime", "label": "Overtime"}],
         "show_if": {"question": "stress", "op": "equals", "value": "yes"}},
        {"code": "hours", "kind": QuestionKind.NUMBER, "text": "Overtime hours last week", "required": False,
         "min_value": 0, "max_value": 100},
        {"code": "words", "kind": QuestionKind.TEXTAREA, "text": "Anything else?", "required": False},
    ]
    version = latin_version(city, "morale-en", "Morale survey", questions)
    anonymous = make_campaign(city, version=version, title="Morale survey Q1", kind=CampaignKind.ANONYMOUS)
    named = make_campaign(city, version=version, title="Named check-in", kind=CampaignKind.IDENTIFIED)
    draft = latin_version(city, "draft-en", "Draft survey", questions, publish=False)
    return {"region": region, "city": city, "station": station, "officer": officer, "political": political,
            "officer_user": officer_user, "anonymous": anonymous, "named": named, "version": version,
            "draft": draft}


def test_the_login_page_is_english(db: Any) -> None:
    html = assert_english(english(Client()), reverse("accounts:login"))
    assert "Sign in" in html


def test_political_staff_screens_are_english(world: dict[str, Any]) -> None:
    client = english(login_client(world["political"]))
    officer: Person = world["officer"]
    city: Unit = world["city"]
    html = assert_english(client, reverse("core:home"))
    assert "Hello" in html
    assert_english(client, reverse("org:unit_tree"))
    assert_english(client, reverse("org:unit_detail", args=[city.pk]))
    html = assert_english(client, reverse("org:person_list"))
    assert "Bayar Aodeng" in html and "Police officer" in html
    html = assert_english(client, reverse("org:person_detail", args=[officer.pk]))
    assert "Mongol" in html and "Professional Technical" in html
    assert_english(client, reverse("org:person_create"))
    assert_english(client, reverse("org:person_edit", args=[officer.pk]))
    assert_english(client, reverse("org:roster_import"))
    assert_english(client, reverse("surveys:campaign_list"))
    assert_english(client, reverse("surveys:campaign_create"))
    assert_english(client, reverse("surveys:campaign_detail", args=[world["anonymous"].pk]))
    assert_english(client, reverse("surveys:campaign_detail", args=[world["named"].pk]))
    assert_english(client, reverse("surveys:campaign_results", args=[world["anonymous"].pk]))
    assert_english(client, reverse("surveys:questionnaire_list"))
    assert_english(client, reverse("surveys:version_detail", args=[world["version"].pk]))
    assert_english(client, reverse("surveys:version_detail", args=[world["draft"].pk]))
    assert_english(client, reverse("surveys:mine"), status=200)
    assert_english(client, reverse("org:person_delete", args=[officer.pk]))
    assert_english(client, reverse("org:dependent_create", args=[officer.pk]))
    assert_english(client, reverse("surveys:questionnaire_create"))
    assert_english(client, reverse("surveys:question_create", args=[world["draft"].pk]))
    assert_english(client, reverse("surveys:campaign_edit", args=[world["anonymous"].pk]))


def test_validation_messages_are_english(world: dict[str, Any]) -> None:
    """Messages made in Python (forms, services, uploads) come back in English too."""
    client = english(login_client(world["political"]))
    response = client.post(reverse("org:person_create"), {"name": "Wang Wei", "gender": "1", "ethnicity": "01", "birth_date": "1980-01-01", "political_status": "13",
                                                          "id_number": "15010219800101001", "category": "police",
                                                          "unit": world["station"].pk, "status": "active"})
    html = response.content.decode()
    assert "ID numbers have 18 characters" in html
    assert not chinese_left(html), chinese_left(html)[:5]
    upload = SimpleUploadedFile("people.csv", b"a,b\n1,2\n", content_type="text/csv")
    html = client.post(reverse("org:roster_import"), {"file": upload}).content.decode()
    assert "Only .xlsx files are accepted" in html
    assert not chinese_left(html), chinese_left(html)[:5]
    officer_client = english(login_client(world["officer_user"]))
    html = officer_client.post(reverse("surveys:answer", args=[world["named"].pk]), {}).content.decode()
    assert "This question is required" in html
    assert not chinese_left(html), chinese_left(html)[:5]


def test_officer_screens_are_english(world: dict[str, Any]) -> None:
    client = english(login_client(world["officer_user"]))
    assert_english(client, reverse("core:home"))
    assert_english(client, reverse("org:person_detail", args=[world["officer"].pk]))
    html = assert_english(client, reverse("surveys:mine"))
    assert "Morale survey Q1" in html
    assert_english(client, reverse("surveys:answer", args=[world["anonymous"].pk]))
    assert_english(client, reverse("surveys:answer", args=[world["named"].pk]))
    assert_english(client, reverse("surveys:anonymity"))
    assert_english(client, reverse("core:my_access_log"))
    assert_english(client, reverse("accounts:password_change"))


def test_administrator_screens_are_english(world: dict[str, Any]) -> None:
    secadmin = make_user("secadmin", role=Role.SECADMIN, unit=world["region"], display_name="Security Admin")
    client = english(login_client(secadmin))
    html = assert_english(client, reverse("accounts:user_list"))
    assert "Political Officer" in html
    assert_english(client, reverse("accounts:user_detail", args=[world["political"].pk]))
    counsellor = make_user("counsellor", role=Role.COUNSELLOR, unit=world["city"], domains=["psych", "health"])
    html = assert_english(client, reverse("accounts:user_detail", args=[counsellor.pk]))
    assert "Psychological, Health" in html
    assert_english(client, reverse("accounts:user_create"))
    auditor = make_user("auditor", role=Role.AUDITOR, unit=world["region"], display_name="Auditor")
    # An audit entry keeps the object's name as it was written (a snapshot, in the writer's
    # language: "Morale survey（v1）"), like the reason the user typed.
    assert_english(english(login_client(auditor)), reverse("core:audit_list"), data_cells=("Object",))


def test_error_pages_are_english(world: dict[str, Any]) -> None:
    client = english(login_client(world["officer_user"]))
    assert_english(client, reverse("org:person_detail", args=[999999]), status=404)
    assert_english(client, reverse("accounts:user_list"), status=403)
    with translation.override("en"):
        html = render_to_string("500.html")
    assert 'lang="en"' in html and not chinese_left(html), chinese_left(html)[:5]


def test_the_second_factor_page_is_english(world: dict[str, Any]) -> None:
    """Enrolment (QR code and key) and a wrong code, between password and session."""
    from jingying.accounts.views import PREAUTH_KEY

    client = english(Client())
    session = client.session
    session[PREAUTH_KEY] = world["political"].pk
    session.save()
    html = assert_english(client, reverse("accounts:totp"))
    assert "authenticator" in html
    html = client.post(reverse("accounts:totp"), {"code": "000000"}).content.decode()
    assert not chinese_left(html), chinese_left(html)[:5]


def test_roster_import_messages_follow_the_uploaders_language(world: dict[str, Any], tmp_path: Path) -> None:
    """The import runs as a task and stores its messages on the job: they are written in the
    language of the upload, not the worker's default."""
    from jingying.org.models import RosterImport
    from jingying.org.tasks import roster_validate
    from jingying.org.tests.test_roster import person_row, write_book

    client = english(login_client(world["political"]))
    book = write_book(tmp_path / "people.xlsx", [person_row(单位="Nowhere Station")])
    upload = SimpleUploadedFile("people.xlsx", book.read_bytes())
    response = client.post(reverse("org:roster_import"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "not found (by full name, short name or unit code)" in page  # the unit, spaces dropped
    assert "Validation failed; nothing was written" in page

    # A worker outside any request (the default language is Chinese) still writes English.
    job = RosterImport.objects.create(created_by=world["political"], file_name="gone.xlsx",
                                      file="roster_imports/missing.xlsx")
    roster_validate.enqueue(str(job.pk), "en")
    job.refresh_from_db()
    assert job.message == "An internal error occurred while processing; please contact the system administrator."


def test_lists_in_messages_use_the_languages_separator() -> None:
    from jingying.core.i18n import join_list

    with translation.override("zh-hans"):
        assert join_list(["心理", "健康"]) == "心理、健康"
    with translation.override("en"):
        assert join_list(["psych", "health"]) == "psych, health"


def test_public_evaluation_pages_are_english(world: dict[str, Any]) -> None:
    """The page the public reach by QR code (no account) and the staff's poster and review pages."""
    from jingying.surveys import public

    campaign = make_campaign(world["station"], version=world["version"], kind=CampaignKind.PUBLIC,
                             title="Station evaluation")
    link = public.public_link_ensure(campaign=campaign)
    html = assert_english(english(Client()), reverse("public:form", args=[link.token]))
    assert "Submit evaluation" in html
    client = english(login_client(world["political"]))
    assert_english(client, reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert_english(client, reverse("surveys:public_poster", args=[campaign.pk]))
    assert_english(client, reverse("surveys:public_held", args=[campaign.pk]))
