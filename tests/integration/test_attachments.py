"""Attachments end to end: the API and the founder's pages, real files on disk, real refusals."""
from __future__ import annotations

import hashlib
import io
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from incubator.applications.models import Application, ApplicationEvent, Attachment
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.programs.models import QuestionType
from incubator.startups.models import Startup
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.unit.test_filecheck import HTML_PAGE, JS_PDF, make_jpeg, make_ooxml, make_pdf, make_png, zip_bomb

PDF = make_pdf()


# --- Scenario ------------------------------------------------------------------------------------

def make_application(db, owner, season, status: Status = Status.DRAFT, name: str = "Agro Vision") -> Application:
    startup = Startup(owner_id=owner.id, name=name, sector="agritech", region="andijan")
    db.session.add(startup)
    db.session.flush()
    application = Application(season_id=season.id, startup_id=startup.id, created_by_id=owner.id, status=status,
                              submitted_at=utcnow() if status != Status.DRAFT else None)
    db.session.add(application)
    db.session.commit()
    return application


@pytest.fixture
def dirs(app, tmp_path):
    """Uploads and the upload spool in this test's own folders, to look into."""
    spool = tmp_path / "spool"
    spool.mkdir()
    app.config.update(UPLOAD_FOLDER=str(tmp_path / "uploads"), UPLOAD_TMP_FOLDER=str(spool))
    return SimpleNamespace(uploads=tmp_path / "uploads", spool=spool)


@pytest.fixture
def draft(app, db, founder, open_season, dirs):
    deck = f.QuestionFactory(season=open_season, type=QuestionType.FILE, key="deck", required=False)
    text_question = next(q for q in open_season.questions if q.type != QuestionType.FILE)
    application = make_application(db, founder, open_season)
    return SimpleNamespace(application=application, id=application.id, question=deck, text_key=text_question.key,
                           season=open_season, founder=founder)


@pytest.fixture
def token(api_token, founder):
    return api_token(founder)


def stored_files(dirs) -> list:
    return sorted(p for p in dirs.uploads.rglob("*") if p.is_file()) if dirs.uploads.exists() else []


def leftovers(dirs) -> list:
    """Everything an upload might leave behind: stored files, temporary parts, spooled files."""
    return stored_files(dirs) + sorted(dirs.spool.iterdir())


def attachments(db) -> list[Attachment]:
    db.session.expire_all()
    return db.session.scalars(select(Attachment).order_by(Attachment.id)).all()


def events(db, kind: str) -> list[ApplicationEvent]:
    return db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.kind == kind)).all()


def api_upload(client, token, application_id, data=PDF, name="deck.pdf", question="deck", **form):
    body = {"question": question, "file": (io.BytesIO(data), name), **form}
    return client.post(f"/api/v1/applications/{application_id}/attachments", data=body, headers=bearer(token),
                       content_type="multipart/form-data")


def path_of(dirs, key: str):
    return dirs.uploads / key[:2] / key[2:4] / key


# --- API: the happy path ---------------------------------------------------------------------------

def test_upload_stores_the_file_under_a_random_key_and_answers_201(app, db, client, draft, token, dirs):
    response = api_upload(client, token, draft.id, name="Pitch deck 2026.pdf")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    [row] = attachments(db)
    assert body == {
        "id": row.id, "question": "deck", "original_name": "Pitch deck 2026.pdf", "content_type": "application/pdf",
        "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest(), "is_anonymised": False,
        "created_at": body["created_at"],
        "download_url": f"http://localhost/api/v1/applications/{draft.id}/attachments/{row.id}",
    }
    assert (row.application_id, row.question_id, row.extension, row.uploaded_by_id) == (
        draft.id, draft.question.id, "pdf", draft.founder.id)
    # Stored outside the web root, under a random sharded name, with the exact bytes.
    assert len(row.storage_key) == 32 and "deck" not in row.storage_key.lower()
    assert stored_files(dirs) == [path_of(dirs, row.storage_key)]
    assert path_of(dirs, row.storage_key).read_bytes() == PDF
    assert list(dirs.spool.iterdir()) == []
    [event] = events(db, "file_uploaded")
    assert event.actor_id == draft.founder.id and event.reason == "deck: Pitch deck 2026.pdf"


@pytest.mark.parametrize("data, name, mime", [
    (make_ooxml("docx"), "plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (make_ooxml("xlsx"), "model.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (make_ooxml("pptx"), "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (make_png(), "team.png", "image/png"),
    (make_jpeg(), "team.jpeg", "image/jpeg"),
])
def test_every_accepted_kind_uploads_and_downloads_with_its_type(app, db, client, draft, token, data, name, mime):
    created = api_upload(client, token, draft.id, data=data, name=name)
    assert created.status_code == 201, created.json
    assert created.json["content_type"] == mime and created.json["original_name"] == name
    download = client.get(urlsplit(created.json["download_url"]).path, headers=bearer(token))
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == mime


def test_download_is_an_attachment_with_nosniff_never_inline(app, db, client, draft, token):
    created = api_upload(client, token, draft.id, name="Питч дек.pdf").json
    response = client.get(f"/api/v1/applications/{draft.id}/attachments/{created['id']}", headers=bearer(token))
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "inline" not in disposition
    assert disposition == f"attachment; filename=\"file.pdf\"; filename*=UTF-8''{quote('Питч дек.pdf')}"
    assert response.headers["Content-Length"] == str(len(PDF))
    assert "no-store" in response.headers["Cache-Control"]


def test_replacing_keeps_one_row_and_removes_the_old_file(app, db, client, draft, token, dirs):
    first = api_upload(client, token, draft.id, name="v1.pdf").json
    old_key = attachments(db)[0].storage_key
    second_pdf = make_pdf(catalog_extra=b"/Lang (ru) ")
    second = api_upload(client, token, draft.id, data=second_pdf, name="v2.pdf", anonymised="true")
    assert second.status_code == 201
    [row] = attachments(db)
    assert row.id == second.json["id"] and row.storage_key != old_key
    assert second.json["sha256"] != first["sha256"]
    assert (row.original_name, row.is_anonymised, row.sha256) == ("v2.pdf", True,
                                                                   hashlib.sha256(second_pdf).hexdigest())
    assert stored_files(dirs) == [path_of(dirs, row.storage_key)]
    assert not path_of(dirs, old_key).exists()
    assert len(events(db, "file_uploaded")) == 2


def test_mark_anonymised_then_delete(app, db, client, draft, token, dirs):
    created = api_upload(client, token, draft.id).json
    url = f"/api/v1/applications/{draft.id}/attachments/{created['id']}"
    patched = client.patch(url, json={"is_anonymised": True}, headers=bearer(token))
    assert patched.status_code == 200 and patched.json["is_anonymised"] is True
    assert attachments(db)[0].is_anonymised is True
    bad = client.patch(url, json={"is_anonymised": "maybe"}, headers=bearer(token))
    assert bad.status_code == 422 and "is_anonymised" in bad.json["errors"]

    deleted = client.delete(url, headers=bearer(token))
    assert deleted.status_code == 204 and deleted.data == b""
    assert attachments(db) == [] and stored_files(dirs) == []
    [event] = events(db, "file_deleted")
    assert event.reason == "deck: deck.pdf"
    assert client.get(url, headers=bearer(token)).status_code == 404


# --- API: refusals that store nothing --------------------------------------------------------------

@pytest.mark.parametrize("data, name, message", [
    (HTML_PAGE, "deck.pdf",
     "“deck.pdf” is named .pdf, but its content is HTML or script (a web page), not a PDF document. "
     "Accepted files: PDF, PPTX, DOCX, XLSX, PNG, JPEG."),
    (JS_PDF, "deck.pdf",
     "“deck.pdf” contains JavaScript, which is not accepted in a PDF: export or print it to a new PDF without "
     "scripts and upload that."),
    (zip_bomb(), "plan.docx", "“plan.docx” would unpack to more than 200 MB: it looks like a zip bomb and was refused."),
    (make_png(), "deck.pdf",
     "“deck.pdf” is named .pdf, but its content is a PNG image. Rename it to .png, or upload the file you meant "
     "to send."),
    (b"", "deck.pdf", "“deck.pdf” is empty: choose the file again."),
], ids=["html-renamed-pdf", "pdf-with-javascript", "zip-bomb-renamed-docx", "png-named-pdf", "empty"])
def test_refused_content_gets_422_with_the_reason_and_nothing_is_stored(app, db, client, draft, token, dirs,
                                                                        data, name, message):
    response = api_upload(client, token, draft.id, data=data, name=name)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"] == {"file": [message]}
    assert attachments(db) == []
    assert leftovers(dirs) == []
    assert events(db, "file_uploaded") == []


def test_refused_replacement_keeps_the_earlier_file(app, db, client, draft, token, dirs):
    api_upload(client, token, draft.id, name="good.pdf")
    [before] = attachments(db)
    response = api_upload(client, token, draft.id, data=HTML_PAGE, name="evil.pdf")
    assert response.status_code == 422
    [after] = attachments(db)
    assert (after.id, after.original_name) == (before.id, "good.pdf")
    assert stored_files(dirs) == [path_of(dirs, before.storage_key)]


def test_over_the_limit_is_413_naming_the_limit_and_stores_nothing(app, db, client, draft, token, dirs):
    app.config["MAX_UPLOAD_MB"] = 1
    limit = 1024 * 1024
    response = api_upload(client, token, draft.id, data=make_pdf(pad_to=limit + 1))
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == ("The file is larger than the limit of 1 MB: make it smaller (for example, "
                                       "export the deck with compressed images) and upload it again.")
    assert attachments(db) == [] and leftovers(dirs) == []

    exactly = api_upload(client, token, draft.id, data=make_pdf(pad_to=limit))
    assert exactly.status_code == 201 and exactly.json["size"] == limit


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(app, db, client, draft, token, dirs):
    """MAX_CONTENT_LENGTH (the limit plus room for the form fields) stops the request at its
    Content-Length, before the body is read."""
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=1024 * 1024 + 64 * 1024)
    response = api_upload(client, token, draft.id, data=make_pdf(pad_to=3 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json["detail"] == "The request body is too large: the limit is 1 MB."
    assert attachments(db) == [] and leftovers(dirs) == []


def test_hostile_file_names_are_sanitised(app, db, client, draft, token, dirs):
    names = {
        "../../etc/passwd": "passwd.pdf",
        "../../../tmp/evil.pdf": "evil.pdf",
        "pitch\x00deck.pdf": "pitchdeck.pdf",
        "d" * 300 + ".pdf": "d" * 146 + ".pdf",
    }
    for raw, clean in names.items():
        response = api_upload(client, token, draft.id, name=raw)
        assert response.status_code == 201, response.json
        assert response.json["original_name"] == clean
        assert attachments(db)[0].original_name == clean
        download = client.get(urlsplit(response.json["download_url"]).path, headers=bearer(token))
        assert f"filename*=UTF-8''{quote(clean)}" in download.headers["Content-Disposition"]
    [row] = attachments(db)
    assert stored_files(dirs) == [path_of(dirs, row.storage_key)]  # stored by key, never by the given name
    assert not (dirs.uploads.parent / "etc").exists()


def test_question_must_be_a_file_question_of_this_season(app, db, client, draft, token, dirs):
    other_season_question = f.QuestionFactory(type=QuestionType.FILE, key="other_deck")
    cases = {
        "nope": "There is no question “nope” in this season.",
        draft.text_key: f"Question “{draft.text_key}” takes a written answer, not a file.",
        other_season_question.key: "There is no question “other_deck” in this season.",
    }
    for key, message in cases.items():
        response = api_upload(client, token, draft.id, question=key)
        assert response.status_code == 422
        assert response.json["errors"] == {"question": [message]}
    assert attachments(db) == [] and leftovers(dirs) == []


def test_missing_or_non_file_part_is_422(app, db, client, draft, token):
    url = f"/api/v1/applications/{draft.id}/attachments"
    missing = client.post(url, data={"question": "deck"}, headers=bearer(token), content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]
    as_text = client.post(url, data={"question": "deck", "file": "not a file"}, headers=bearer(token),
                          content_type="multipart/form-data")
    assert as_text.status_code == 422
    assert as_text.json["errors"]["file"] == ["Send the file as a file part of a multipart/form-data body."]
    assert attachments(db) == []


def test_anonymous_gets_401(app, db, client, draft):
    response = client.post(f"/api/v1/applications/{draft.id}/attachments",
                           data={"question": "deck", "file": (io.BytesIO(PDF), "deck.pdf")})
    assert response.status_code == 401


def test_another_founder_gets_404_everywhere(app, db, client, draft, token, make_user, api_token, dirs):
    created = api_upload(client, token, draft.id).json
    stranger = api_token(make_user(email="stranger@example.org"))
    url = f"/api/v1/applications/{draft.id}/attachments/{created['id']}"
    assert api_upload(client, stranger, draft.id).status_code == 404
    assert client.get(url, headers=bearer(stranger)).status_code == 404
    assert client.patch(url, json={"is_anonymised": True}, headers=bearer(stranger)).status_code == 404
    assert client.delete(url, headers=bearer(stranger)).status_code == 404
    [row] = attachments(db)
    assert row.is_anonymised is False and path_of(dirs, row.storage_key).exists()
    # An attachment id of another application is not reachable through one's own application either.
    own = make_application(db, make_user(email="other@example.org"), draft.season, name="Other")
    assert client.get(f"/api/v1/applications/{own.id}/attachments/{created['id']}",
                      headers=bearer(token)).status_code == 404


def test_submitted_application_refuses_changes_with_409(app, db, client, draft, token, dirs):
    created = api_upload(client, token, draft.id).json
    db.session.get(Application, draft.id).status = Status.SUBMITTED
    db.session.commit()
    url = f"/api/v1/applications/{draft.id}/attachments/{created['id']}"
    frozen = "This application was submitted: its answers are frozen."
    for response in (api_upload(client, token, draft.id, name="late.pdf"),
                     client.delete(url, headers=bearer(token)),
                     client.patch(url, json={"is_anonymised": True}, headers=bearer(token))):
        assert response.status_code == 409
        assert response.json["detail"] == frozen
    [row] = attachments(db)
    assert row.original_name == "deck.pdf" and stored_files(dirs) == [path_of(dirs, row.storage_key)]
    assert client.get(url, headers=bearer(token)).status_code == 200  # still downloadable


def test_openapi_documents_the_attachment_operations(app, client):
    doc = client.get("/api/v1/openapi.json").json
    upload = doc["paths"]["/api/v1/applications/{application_id}/attachments"]["post"]
    schema_ref = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert schema["properties"]["file"] == {**schema["properties"]["file"], "type": "string", "format": "binary"}
    assert set(schema["required"]) == {"file", "question"}
    item = doc["paths"]["/api/v1/applications/{application_id}/attachments/{attachment_id}"]
    assert set(item) >= {"get", "patch", "delete"}
    assert "application/pdf" in item["get"]["responses"]["200"]["content"]


# --- Services and storage ---------------------------------------------------------------------------

def test_a_rollback_removes_the_new_file_and_keeps_the_old(app, db, draft, dirs):
    from incubator.applications.attachments import delete_attachment, upload_attachment

    first = upload_attachment(draft.application, draft.question, io.BytesIO(PDF), "v1.pdf", actor=draft.founder)
    db.session.commit()
    old_path = path_of(dirs, first.storage_key)
    application = db.session.get(Application, draft.id)
    second = upload_attachment(application, draft.question, io.BytesIO(make_pdf(catalog_extra=b"/Lang (uz) ")),
                               "v2.pdf", actor=draft.founder)
    new_path = path_of(dirs, second.storage_key)
    assert new_path.exists() and old_path.exists()  # nothing is removed before the commit
    db.session.rollback()
    assert stored_files(dirs) == [old_path]
    [row] = attachments(db)
    assert row.original_name == "v1.pdf"

    delete_attachment(row, actor=draft.founder)
    assert old_path.exists()
    db.session.rollback()  # the deletion is undone, so the file must stay
    assert stored_files(dirs) == [old_path] and len(attachments(db)) == 1


def test_storage_keys_cannot_name_a_path_outside_the_folder(app, dirs):
    from incubator.storage import StorageError, get_storage

    storage = get_storage()
    key = storage.save(io.BytesIO(b"hello"))
    assert storage.exists(key) and storage.open(key).read() == b"hello"
    for bad in ("../../etc/passwd", "/etc/passwd", key.upper(), key + "/..", ""):
        assert not storage.exists(bad)
        with pytest.raises(StorageError):
            storage.open(bad)
    assert storage.delete(key) is True and storage.delete(key) is False
    assert stored_files(dirs) == [] and not any(dirs.uploads.iterdir())  # empty shard folders tidied
    app.config["STORAGE_BACKEND"] = "ftp"
    with pytest.raises(StorageError, match="Unknown STORAGE_BACKEND “ftp”"):
        get_storage()


# --- Pages -------------------------------------------------------------------------------------------

@pytest.fixture
def logged_in(login, draft):
    login(draft.founder)
    return draft


def web_upload(post_form, application_id, data=PDF, name="deck.pdf", key="deck", headers=None, **form):
    return post_form(f"/my/applications/{application_id}/files/{key}",
                     {f"file_{key}": (io.BytesIO(data), name), **form}, headers=headers or {})


def test_page_upload_redirects_to_the_form_with_a_flash(app, db, client, post_form, logged_in, dirs):
    response = web_upload(post_form, logged_in.id, name="Deck.pdf", anonymised_deck="1")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.path, location.fragment) == (f"/my/applications/{logged_in.id}/form", "question-deck")
    [row] = attachments(db)
    assert (row.original_name, row.is_anonymised) == ("Deck.pdf", True)
    assert path_of(dirs, row.storage_key).read_bytes() == PDF
    with client.session_transaction() as session:
        assert ("success", "“Deck.pdf” is uploaded.") in session["_flashes"]


def test_page_refusal_flashes_the_reason_and_stores_nothing(app, db, client, post_form, logged_in, dirs):
    response = web_upload(post_form, logged_in.id, data=HTML_PAGE, name="deck.pdf")
    assert response.status_code == 302
    with client.session_transaction() as session:
        [(category, message)] = session["_flashes"]
    assert category == "danger" and message.startswith("“deck.pdf” is named .pdf, but its content is HTML")
    assert attachments(db) == [] and leftovers(dirs) == []

    post_form(f"/my/applications/{logged_in.id}/files/deck", {})  # the button pressed with no file chosen
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "Choose a file to upload.")]


def test_page_upload_over_the_limit_flashes_the_limit(app, db, client, post_form, logged_in, dirs):
    app.config["MAX_UPLOAD_MB"] = 1
    web_upload(post_form, logged_in.id, data=make_pdf(pad_to=1024 * 1024 + 1))
    with client.session_transaction() as session:
        [(category, message)] = session["_flashes"]
    assert category == "danger" and message.startswith("The file is larger than the limit of 1 MB")
    assert attachments(db) == [] and leftovers(dirs) == []


def test_htmx_upload_answers_with_the_partial(app, db, client, post_form, logged_in, dirs):
    htmx = {"HX-Request": "true"}
    ok = web_upload(post_form, logged_in.id, name="deck.pdf", headers=htmx)
    assert ok.status_code == 200
    html = ok.get_data(as_text=True)
    [row] = attachments(db)
    assert 'id="attachment-deck"' in html and "“deck.pdf” is uploaded." in html
    assert f'href="/my/applications/{logged_in.id}/files/{row.id}"' in html
    assert "Replace the file" in html and "<html" not in html

    refused = web_upload(post_form, logged_in.id, data=JS_PDF, name="evil.pdf", headers=htmx)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'role="alert"' in html
    assert "“evil.pdf” contains JavaScript, which is not accepted in a PDF" in html
    assert [a.original_name for a in attachments(db)] == ["deck.pdf"]


def test_page_download_is_an_attachment(app, db, client, post_form, logged_in):
    web_upload(post_form, logged_in.id, name="deck.pdf")
    [row] = attachments(db)
    response = client.get(f"/my/applications/{logged_in.id}/files/{row.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"


def test_page_delete_asks_first_then_deletes(app, db, client, post_form, logged_in, dirs):
    web_upload(post_form, logged_in.id, name="deck.pdf")
    [row] = attachments(db)
    url = f"/my/applications/{logged_in.id}/files/{row.id}/delete"
    confirm = client.get(url)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Delete “deck.pdf”? This cannot be undone." in html
    assert f'formaction="{url}"' in html and 'name="csrf_token"' in html
    assert attachments(db) and stored_files(dirs)  # asking deletes nothing

    response = post_form(url, token_from=url)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/my/applications/{logged_in.id}/form"
    assert attachments(db) == [] and stored_files(dirs) == []


def test_page_anonymised_toggle(app, db, client, post_form, logged_in):
    web_upload(post_form, logged_in.id)
    [row] = attachments(db)
    url = f"/my/applications/{logged_in.id}/files/{row.id}/anonymised"
    post_form(url, {"anonymised_deck": "1"})
    assert attachments(db)[0].is_anonymised is True
    post_form(url, {})
    assert attachments(db)[0].is_anonymised is False


def test_page_refuses_changes_once_submitted(app, db, client, post_form, logged_in, dirs):
    web_upload(post_form, logged_in.id)
    [row] = attachments(db)
    db.session.get(Application, logged_in.id).status = Status.SUBMITTED
    db.session.commit()
    actions = (lambda: web_upload(post_form, logged_in.id, name="late.pdf"),
               lambda: post_form(f"/my/applications/{logged_in.id}/files/{row.id}/delete"),
               lambda: post_form(f"/my/applications/{logged_in.id}/files/{row.id}/anonymised", {"anonymised_deck": "1"}))
    for action in actions:
        response = action()  # (fetching the CSRF token first shows, and so clears, earlier flashes)
        assert response.status_code == 302
        with client.session_transaction() as session:
            assert session["_flashes"] == [("danger", "This application was submitted: its answers are frozen.")]
    confirm = client.get(f"/my/applications/{logged_in.id}/files/{row.id}/delete").get_data(as_text=True)
    assert "This application can no longer be changed, so its files cannot be deleted." in confirm
    assert "Yes, delete the file" not in confirm
    [after] = attachments(db)
    assert (after.id, after.is_anonymised) == (row.id, False)
    assert stored_files(dirs) == [path_of(dirs, row.storage_key)]


def test_another_founder_gets_404_on_the_pages(app, db, client, post_form, login, draft, token, make_user, dirs):
    created = api_upload(client, token, draft.id).json
    login(make_user(email="stranger@example.org"))
    base = f"/my/applications/{draft.id}/files"
    assert client.get(f"{base}/{created['id']}").status_code == 404
    assert client.get(f"{base}/{created['id']}/delete").status_code == 404
    assert post_form(f"{base}/{created['id']}/delete").status_code == 404
    assert post_form(f"{base}/{created['id']}/anonymised", {"anonymised_deck": "1"}).status_code == 404
    assert web_upload(post_form, draft.id).status_code == 404
    [row] = attachments(db)
    assert (row.id, row.is_anonymised) == (created["id"], False) and len(stored_files(dirs)) == 1


def test_form_page_shows_the_file_field(app, db, client, post_form, logged_in):
    web_upload(post_form, logged_in.id, name="Deck.pdf")
    html = client.get(f"/my/applications/{logged_in.id}/form").get_data(as_text=True)
    assert 'id="attachment-deck"' in html and "Deck.pdf" in html and f"{len(PDF)} bytes" in html
    assert 'accept=".pdf,.pptx,.docx,.xlsx,.png,.jpg,.jpeg"' in html
    assert 'formenctype="multipart/form-data"' in html and 'id="q_deck"' in html
    assert html.count("<form") == html.count("</form>")
