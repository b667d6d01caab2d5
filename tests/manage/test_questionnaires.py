"""Questionnaires in the core team's workspace: list, preview, upload, download, edit, wording.

No published item wording appears here: imported wording is made up ("Licensed wording
for item N") and only the demo's own wording is read back.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey.access import ACCESS_ATTR, allowed_roles
from survey.extensions import db
from survey.models import QuestionnaireVersion, User, Wave
from survey.services.questionnaires import definition
from tests.auth.conftest import csrf_of
from tests.conftest import days
from tests.manage.conftest import Members, Staff, audit, count, field_error, my_routes, text_of
from tests.manage.test_waves import demo_version, open_test_wave
from tests.release.helpers import answers_all, submit
from tests.stored import stored_rows

MY_VIEWS = ("survey.manage.questionnaires",)
STSS_ITEMS = 17


def demo_text(app: Flask) -> str:
    """The demo questionnaire's YAML."""
    return (Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml").read_text("utf-8")


def upload(staff: Staff, text: str | bytes, name: str = "team-check.yaml") -> TestResponse:
    """Post a file to the upload page."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return staff.post(
        "/manage/questionnaires/upload",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def wording_file(numbers: range | list[int], prefix: str = "Licensed wording for item") -> str:
    """A YAML wording file with made-up wording for these item numbers."""
    return "".join(f"{n}: {prefix} {n}\n" for n in numbers)


def import_wording(
    staff: Staff, version: QuestionnaireVersion, text: str, name: str, **extra: str
) -> TestResponse:
    """Post a wording file for the stss scale, licence confirmed unless overridden."""
    data: dict[str, object] = {"scale": "stss", "licensed": "y", **extra}
    data["file"] = (io.BytesIO(text.encode("utf-8")), name)
    return staff.post(
        f"/manage/questionnaires/{version.id}/wording", data, content_type="multipart/form-data"
    )


@pytest.fixture
def version(app: Flask) -> QuestionnaireVersion:
    """The demo questionnaire, version 1."""
    return demo_version(app)


# Access


def test_every_page_is_for_the_core_team_only(
    app: Flask, as_lead: Staff, client: FlaskClient, version: QuestionnaireVersion
) -> None:
    views = [v for v in app.view_functions.values() if v.__module__ in MY_VIEWS]
    assert len(views) >= 8
    assert all(allowed_roles(getattr(v, ACCESS_ATTR)) == {"core"} for v in views)
    routes = my_routes(app, MY_VIEWS)
    assert ("GET", "/manage/questionnaires/1/download") in routes
    token = csrf_of(client.get("/auth/sign-in").get_data(as_text=True))
    edited = demo_text(app).replace("version: 1", "version: 2")
    for method, url in routes:
        data = {"source": edited, "scale": "stss", "licensed": "y"}
        refused = as_lead.client.open(
            url, method=method, data=data | {"csrf_token": as_lead.csrf()}
        )
        assert refused.status_code == 403, f"lead {method} {url}"
        sent_away = client.open(url, method=method, data=data | {"csrf_token": token})
        assert sent_away.status_code == 302, f"anonymous {method} {url}"
        assert sent_away.headers["Location"].startswith("/auth/sign-in?next=")
    assert count(QuestionnaireVersion) == 1


# The list, preview and download


def test_the_list_shows_versions_wording_and_the_waves_using_each(
    as_core: Staff,
    version: QuestionnaireVersion,
    kek: bytes,
    members: Members,
    core_user: User,
) -> None:
    open_test_wave(kek, version, [members.day], core_user)
    page = text_of(as_core.get("/manage/questionnaires"))
    assert "demo-sts" in page
    assert "Version 1 How your work has been sitting with you Demo wording Spring round" in page


def test_the_preview_shows_every_page_read_only_at_phone_width(
    as_core: Staff, version: QuestionnaireVersion
) -> None:
    page = as_core.get(f"/manage/questionnaires/{version.id}/preview")
    html = page.get_data(as_text=True)
    q = definition(version)
    assert page.status_code == 200
    for scale in q.scales:
        for item in scale.items:
            assert item.text.replace("'", "&#39;") in html
    assert f"Page {q.page_count} of {q.page_count}" in html
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert len(radios) >= STSS_ITEMS * 6  # five answers and "skip" per item
    assert all(radio.endswith(" disabled>") for radio in radios)
    assert "<textarea" not in html or all(
        " disabled" in tag for tag in re.findall(r"<textarea[^>]*>", html)
    )
    assert 'action="/s/' not in html  # nothing here can be submitted as a response
    assert 'class="phone"' in html
    css = as_core.get("/manage/questionnaires/preview.css")
    assert css.mimetype == "text/css" and "max-width:24rem" in css.get_data(as_text=True)


def test_download_gives_the_yaml_exactly_as_stored(
    as_core: Staff, version: QuestionnaireVersion
) -> None:
    result = as_core.get(f"/manage/questionnaires/{version.id}/download")
    assert result.status_code == 200
    assert result.get_data(as_text=True) == version.source
    assert result.headers["Content-Disposition"] == 'attachment; filename="demo-sts-v1.yaml"'


# Upload


def test_a_good_file_is_stored_as_a_new_questionnaire_and_audited(
    app: Flask, as_core: Staff
) -> None:
    text = demo_text(app).replace("key: demo-sts", "key: team-check")
    result = upload(as_core, text)
    stored = db.session.scalars(select(QuestionnaireVersion)).one()
    assert result.status_code == 303
    assert result.headers["Location"] == f"/manage/questionnaires/{stored.id}"
    assert (stored.key, stored.version, stored.source) == ("team-check", 1, text)
    [event] = audit("questionnaire uploaded")
    assert event.target == f"questionnaire_version:{stored.id}"
    assert event.detail == "team-check v1 from team-check.yaml"
    again = upload(as_core, text)
    assert "Nothing new was stored" in text_of(as_core.get(again.headers["Location"]))
    assert count(QuestionnaireVersion) == 1 and len(audit("questionnaire uploaded")) == 1


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        (("  3: ", "  # 3: "), "scales[0].items.3", "Item 3 of the STSS needs its wording."),
        (("minutes: 4", "minutes: 400"), "minutes", "whole number from 1 to 60"),
        (("template: stss", "template: nope"), "scales[0].template", "unknown template"),
        (("title:", "title: [unclosed\ntitle2:"), "line ", "YAML syntax error"),
        (("language: en-GB", "language: en-GB\nbands: [1, 2]"), "bands", "scoring facts"),
    ],
)
def test_a_bad_file_is_refused_with_its_file_and_field_and_nothing_is_saved(
    app: Flask, as_core: Staff, change: tuple[str, str], where: str, why: str
) -> None:
    text = demo_text(app).replace(*change, 1)
    result = upload(as_core, text, "broken.yaml")
    message = field_error(result, "file")
    assert result.status_code == 422
    # A plain sentence first, then the file and the technical place for whoever edits it.
    assert f"(broken.yaml, at {where}" in message and why.lower() in message.lower()
    assert "nothing has been saved" in text_of(result)
    assert count(QuestionnaireVersion) == 0 and audit("questionnaire uploaded") == []


def test_not_utf8_and_not_yaml_are_refused_beside_the_field(as_core: Staff) -> None:
    latin = upload(as_core, "title: caf\xe9".encode("latin-1"), "old.yaml")
    assert "Is not UTF-8 text" in field_error(latin, "file")
    assert "(old.yaml)" in field_error(latin, "file")
    word = upload(as_core, "anything", "notes.docx")
    assert "Upload a YAML file" in field_error(word, "file")
    nothing = as_core.post("/manage/questionnaires/upload", {}, content_type="multipart/form-data")
    assert "Choose a questionnaire file" in field_error(nothing, "file")
    assert count(QuestionnaireVersion) == 0


# Editing: a new version, and old responses keep theirs


def test_editing_a_questionnaire_with_responses_makes_a_new_version(
    as_core: Staff,
    version: QuestionnaireVersion,
    kek: bytes,
    members: Members,
    core_user: User,
) -> None:
    wave = open_test_wave(kek, version, [members.day], core_user)
    submit(wave.links[0], answers_all(3), days(0))
    edit = as_core.get(f"/manage/questionnaires/{version.id}/edit")
    assert "Spring round" in text_of(edit) and "title: How your work" in edit.get_data(as_text=True)
    changed = version.source.replace(
        "title: How your work has been sitting with you", "title: How work is sitting with you"
    )
    result = as_core.post(f"/manage/questionnaires/{version.id}/edit", {"source": changed})
    assert result.status_code == 303
    new = db.session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.version == 2)
    ).one()
    assert new.key == "demo-sts" and new.title == "How work is sitting with you"
    db.session.expire_all()
    assert db.session.get(Wave, wave.id).questionnaire_version_id == version.id  # type: ignore[union-attr]
    assert [row.questionnaire_version_id for row in stored_rows()] == [version.id]
    assert definition(version).title == "How your work has been sitting with you"
    [event] = audit("questionnaire edited")
    assert event.detail == "demo-sts v2 from demo-sts v1 (edited)"


def test_a_broken_edit_keeps_the_text_and_saves_nothing(
    as_core: Staff, version: QuestionnaireVersion
) -> None:
    broken = version.source.replace("minutes: 4", "minutes: many")
    result = as_core.post(f"/manage/questionnaires/{version.id}/edit", {"source": broken})
    assert result.status_code == 422
    assert "demo-sts v1 (edited), at minutes" in field_error(result, "source")
    assert "minutes: many" in result.get_data(as_text=True)
    assert count(QuestionnaireVersion) == 1


# Licensed wording


def test_the_wording_page_shows_the_template_licence(
    as_core: Staff, version: QuestionnaireVersion
) -> None:
    page = text_of(as_core.get(f"/manage/questionnaires/{version.id}/wording"))
    licence = definition(version).scales[0].template.licence
    assert " ".join(licence.split()) in page


@pytest.mark.parametrize("kind", ["yaml", "csv"])
def test_imported_wording_makes_a_new_licensed_version(
    as_core: Staff, version: QuestionnaireVersion, kind: str
) -> None:
    numbers = list(range(1, STSS_ITEMS + 1))
    if kind == "yaml":
        items = "".join(f"  {n}: Licensed wording for item {n}\n" for n in numbers)
        text, name = "template: stss\nitems:\n" + items, "w.yaml"
    else:
        text = "item,wording\n" + "".join(
            f'{n},"Licensed wording for item {n}, in full"\n' for n in numbers
        )
        name = "w.csv"
    result = import_wording(as_core, version, text, name)
    assert result.status_code == 303
    new = db.session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.version == 2)
    ).one()
    q = definition(new)
    suffix = ", in full" if kind == "csv" else ""
    assert [item.text for item in q.scales[0].items] == [
        f"Licensed wording for item {n}{suffix}" for n in numbers
    ]
    assert not q.demo_wording and name in q.wording_note
    assert q.key == "demo-sts" and q.version == 2  # the stored text agrees with its number
    assert definition(version).demo_wording  # version 1 is untouched
    [event] = audit("wording imported")
    assert event.target == f"questionnaire_version:{new.id}"


@pytest.mark.parametrize(
    "case",
    [
        (wording_file(range(1, 17)), "w.yaml", "item 17", "wording is missing"),
        (wording_file(range(1, 19)), "w.yaml", "items.18", "has no item 18"),
        ("1,a\n1,b\n", "w.csv", "row 2", "item 1 is given twice"),
        ("template: pcl5\nitems: {1: a}\n", "w.yaml", "template", "not 'stss'"),
        (wording_file(range(1, 17)) + "17: ''\n", "w.yaml", "items.17", "empty"),
        (wording_file(range(1, 17)) + f"17: {'x' * 301}\n", "w.yaml", "items.17", "at most 300"),
        ("one,two,three\n1,a,b\n", "w.csv", "row 2", "two columns"),
        ("- a list\n", "w.yaml", "items", "mapping of item number"),
    ],
)
def test_bad_wording_is_refused_with_file_and_place_and_nothing_is_saved(
    as_core: Staff, version: QuestionnaireVersion, case: tuple[str, str, str, str]
) -> None:
    text, name, where, why = case
    result = import_wording(as_core, version, text, name)
    message = field_error(result, "file")
    assert result.status_code == 422
    assert f"({name}, at {where})" in message and why.lower() in message.lower()
    assert count(QuestionnaireVersion) == 1 and audit("wording imported") == []


def test_wording_needs_the_licence_confirmed_and_a_change(
    as_core: Staff, version: QuestionnaireVersion
) -> None:
    text = wording_file(range(1, STSS_ITEMS + 1))
    unconfirmed = import_wording(as_core, version, text, "w.yaml", licensed="")
    assert "Confirm that the licence allows" in field_error(unconfirmed, "licensed")
    own = yaml.safe_dump({item.number: item.text for item in definition(version).scales[0].items})
    same = import_wording(as_core, version, own, "same.yaml")
    assert "already has exactly this wording" in field_error(same, "file")
    assert count(QuestionnaireVersion) == 1
