"""The startup logo end to end: the API and the edit page, real files on disk, real refusals."""
from __future__ import annotations

import html
import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from incubator.core.errors import RuleViolation
from incubator.startups import logo
from incubator.startups.models import Startup, StartupCollaborator
from tests.integration.test_startups import make_startup
from tests.support.factories_fixtures import bearer, csrf_from
from tests.unit.test_filecheck import HTML_PAGE, make_jpeg, make_png

PNG = make_png(2, 2)
JPEG = make_jpeg()
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00" \
      b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert(document.cookie)</script></svg>\n")


# --- Scenario ------------------------------------------------------------------------------------

@pytest.fixture
def dirs(app, tmp_path):
    """Uploads and the upload spool in this test's own folders, to look into."""
    spool = tmp_path / "spool"
    spool.mkdir()
    app.config.update(UPLOAD_FOLDER=str(tmp_path / "uploads"), UPLOAD_TMP_FOLDER=str(spool))
    return SimpleNamespace(uploads=tmp_path / "uploads", spool=spool)


@pytest.fixture
def other_founder(make_user):
    return make_user(email="other@example.org", name="Other Founder")


@pytest.fixture
def cofounder(make_user):
    return make_user(email="aziz@example.org", name="Aziz Co-founder")


@pytest.fixture
def startup(db, founder, cofounder, dirs):
    startup = make_startup(db, founder, name="Paxta AI")
    db.session.add(StartupCollaborator(startup_id=startup.id, user_id=cofounder.id))
    db.session.commit()
    return startup


@pytest.fixture
def token(api_token, founder):
    return api_token(founder)


def stored_files(dirs) -> list:
    return sorted(p for p in dirs.uploads.rglob("*") if p.is_file()) if dirs.uploads.exists() else []


def leftovers(dirs) -> list:
    """Everything an upload might leave behind: stored files, temporary parts, spooled files."""
    return stored_files(dirs) + sorted(dirs.spool.iterdir())


def path_of(dirs, key: str):
    return dirs.uploads / key[:2] / key[2:4] / key


def reload(db, startup_id: int) -> Startup:
    db.session.expire_all()
    return db.session.get(Startup, startup_id)


def api_put(client, token, startup_id, data=PNG, name="logo.png"):
    return client.put(f"/api/v1/startups/{startup_id}/logo", data={"logo": (io.BytesIO(data), name)},
                      headers=bearer(token), content_type="multipart/form-data")


def web_upload(client, startup_id, data=PNG, name="logo.png"):
    token = csrf_from(client, f"/my/startups/{startup_id}")
    return client.post(f"/my/startups/{startup_id}/logo", data={"csrf_token": token, "logo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def web_remove(client, startup_id):
    token = csrf_from(client, f"/my/startups/{startup_id}")
    return client.post(f"/my/startups/{startup_id}/logo/delete", data={"csrf_token": token})


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def with_logo(db, startup, data=PNG, user=None) -> str:
    """Give the startup a logo through the service (as a route would: then commit); its key."""
    with io.BytesIO(data) as stream:
        logo.set_logo(startup, stream, "logo.png", actor=user or startup.owner)
    db.session.commit()
    return startup.logo_key


# --- API: upload, replace, fetch, remove ---------------------------------------------------------

def test_upload_a_png_stores_it_under_a_random_key_and_the_startup_links_to_it(app, db, client, startup, token, dirs):
    response = api_put(client, token, startup.id, name="Paxta logo.png")
    assert response.status_code == 200, response.get_data(as_text=True)
    row = reload(db, startup.id)
    assert row.logo_content_type == "image/png"
    assert len(row.logo_key) == 32 and "logo" not in row.logo_key
    assert stored_files(dirs) == [path_of(dirs, row.logo_key)]
    assert path_of(dirs, row.logo_key).read_bytes() == PNG
    assert list(dirs.spool.iterdir()) == []
    body = response.json
    assert body["id"] == startup.id and body["name"] == "Paxta AI"
    assert body["logo_url"] == (f"http://localhost/api/v1/startups/{startup.id}/logo"
                                f"?v={logo.logo_version(row)}")

    fetched = client.get(body["logo_url"], headers=bearer(token))
    assert fetched.status_code == 200
    assert fetched.data == PNG
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.headers["X-Content-Type-Options"] == "nosniff"
    assert fetched.headers["Content-Disposition"] == 'inline; filename="logo.png"'
    assert fetched.headers["Cache-Control"] == "private, max-age=300"
    assert "sandbox" in fetched.headers["Content-Security-Policy"]
    # The ETag is the logo's version: a browser asking again gets a 304.
    again = client.get(body["logo_url"], headers={**bearer(token), "If-None-Match": fetched.headers["ETag"]})
    assert again.status_code == 304


def test_a_startup_without_a_logo_says_so(app, client, startup, token):
    assert client.get(f"/api/v1/startups/{startup.id}", headers=bearer(token)).json["logo_url"] is None
    response = client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token))
    assert response.status_code == 404
    assert response.json["detail"] == "Paxta AI has no logo."


def test_replace_with_a_jpeg_removes_the_old_file_after_the_commit(app, db, client, startup, token, dirs):
    old_key = with_logo(db, startup)
    assert stored_files(dirs) == [path_of(dirs, old_key)]
    old_url = client.get(f"/api/v1/startups/{startup.id}", headers=bearer(token)).json["logo_url"]

    response = api_put(client, token, startup.id, data=JPEG, name="new.jpeg")
    assert response.status_code == 200, response.get_data(as_text=True)
    row = reload(db, startup.id)
    assert row.logo_key != old_key and row.logo_content_type == "image/jpeg"
    assert stored_files(dirs) == [path_of(dirs, row.logo_key)]
    assert response.json["logo_url"] != old_url  # a new version: caches fetch the new image

    fetched = client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token))
    assert fetched.data == JPEG
    assert fetched.headers["Content-Type"] == "image/jpeg"
    assert fetched.headers["Content-Disposition"] == 'inline; filename="logo.jpg"'


def test_the_old_file_stays_until_the_commit_and_a_rollback_keeps_it(app, db, startup, founder, dirs):
    """Services never commit: the old file goes only with the commit, the new one with a rollback."""
    old_key = with_logo(db, startup)
    logo.set_logo(startup, io.BytesIO(JPEG), "new.jpg", actor=founder)
    new_key = startup.logo_key
    assert {p.name for p in stored_files(dirs)} == {old_key, new_key}
    db.session.rollback()
    assert stored_files(dirs) == [path_of(dirs, old_key)]
    assert reload(db, startup.id).logo_key == old_key


def test_delete_removes_the_logo_and_its_file(app, db, client, startup, token, dirs):
    with_logo(db, startup)
    response = client.delete(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token))
    assert response.status_code == 204
    row = reload(db, startup.id)
    assert (row.logo_key, row.logo_content_type) == (None, None)
    assert stored_files(dirs) == []
    assert client.get(f"/api/v1/startups/{startup.id}", headers=bearer(token)).json["logo_url"] is None
    assert client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token)).status_code == 404
    # Removing what is not there is not an error.
    assert client.delete(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token)).status_code == 204


# --- Refusals -------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, name, what", [
    (GIF, "logo.gif", "a file of type GIF (image/gif)"),
    (SVG, "logo.svg", "an SVG image (SVG is not accepted: it can carry scripts)"),
    (SVG, "logo.png", "an SVG image (SVG is not accepted: it can carry scripts)"),
    (HTML_PAGE, "logo.png", "HTML or XML (a web page)"),
    (b"%PDF-1.7\n" + bytes(100), "logo.png", "a file of type PDF (application/pdf)"),
], ids=["gif", "svg", "svg-named-png", "html-named-png", "pdf-named-png"])
def test_anything_but_png_or_jpeg_is_refused_by_its_content(app, db, client, startup, token, dirs, data, name, what):
    response = api_put(client, token, startup.id, data=data, name=name)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {"logo": [
        f"“{name}” is not a PNG or JPEG image: its content is {what}. The logo must be a PNG or JPEG image."]}
    assert reload(db, startup.id).logo_key is None
    assert leftovers(dirs) == []


def test_a_refused_upload_keeps_the_logo_there(app, db, client, startup, token, dirs):
    key = with_logo(db, startup)
    assert api_put(client, token, startup.id, data=HTML_PAGE, name="logo.png").status_code == 422
    assert reload(db, startup.id).logo_key == key
    assert stored_files(dirs) == [path_of(dirs, key)]


def test_a_damaged_png_and_an_empty_file_are_refused(app, client, startup, token, dirs):
    damaged = api_put(client, token, startup.id, data=b"\x89PNG\r\n\x1a\n" + bytes(40), name="logo.png")
    assert damaged.status_code == 422
    assert damaged.json["errors"]["logo"] == ["“logo.png” is a damaged PNG image: save it again and upload the copy."]
    empty = api_put(client, token, startup.id, data=b"", name="logo.png")
    assert empty.status_code == 422
    assert empty.json["errors"]["logo"] == ["“logo.png” is empty: choose the image again."]
    assert leftovers(dirs) == []


def test_the_upload_must_be_a_file_part(app, client, startup, token):
    response = client.put(f"/api/v1/startups/{startup.id}/logo", data={"logo": "not a file"},
                          headers=bearer(token), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "logo" in response.json["errors"]


def test_over_the_limit_is_refused_with_413_naming_it_and_nothing_is_stored(app, db, client, startup, token, dirs):
    key = with_logo(db, startup)
    app.config["LOGO_MAX_MB"] = 0.01  # about 10 KB
    big = PNG[:-12] + bytes(11 * 1024) + PNG[-12:]
    response = api_put(client, token, startup.id, data=big, name="big.png")
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "limit of 0.01 MB" in response.json["detail"]
    assert reload(db, startup.id).logo_key == key
    assert stored_files(dirs) == [path_of(dirs, key)]
    assert list(dirs.spool.iterdir()) == []


def test_the_limit_is_enforced_while_reading(app, db, startup, founder, dirs):
    """An endless upload is refused after the limit plus one byte, not read to its end."""
    app.config["LOGO_MAX_MB"] = 1

    class Endless(io.RawIOBase):
        read_so_far = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            self.read_so_far += len(buffer)
            buffer[:] = b"\x89" * len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(logo.TooLarge) as caught:
        logo.set_logo(startup, stream, "logo.png", actor=founder)
    assert caught.value.status == 413 and caught.value.limit_mb == 1
    assert stream.read_so_far == 1024 * 1024 + 1
    db.session.rollback()
    assert leftovers(dirs) == []


def test_check_image_reads_paths_and_streams(app, tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(JPEG)
    assert logo.check_image(str(path)) == ("image/jpeg", "jpg")
    stream = io.BytesIO(PNG)
    stream.seek(5)
    assert logo.check_image(stream) == ("image/png", "png")
    assert stream.tell() == 5
    with pytest.raises(RuleViolation) as caught:
        logo.check_image(GIF, "anim.gif")
    assert caught.value.field == "logo" and "PNG or JPEG" in caught.value.errors["logo"][0]


# --- Who may -------------------------------------------------------------------------------------

def test_another_founder_gets_404_everywhere_and_nothing_changes(app, db, client, startup, other_founder, api_token,
                                                                 login, dirs):
    key = with_logo(db, startup)
    token = api_token(other_founder)
    assert api_put(client, token, startup.id, data=JPEG, name="mine.jpg").status_code == 404
    assert client.delete(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token)).status_code == 404
    fetched = client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token))
    assert fetched.status_code == 404 and fetched.data != PNG

    login(other_founder)
    assert web_upload(client, startup.id, data=JPEG).status_code == 404
    csrf = csrf_from(client, "/my/")
    assert client.post(f"/my/startups/{startup.id}/logo/delete", data={"csrf_token": csrf}).status_code == 404
    assert client.get(f"/my/startups/{startup.id}/logo").status_code == 404

    row = reload(db, startup.id)
    assert (row.logo_key, row.logo_content_type) == (key, "image/png")
    assert stored_files(dirs) == [path_of(dirs, key)]


def test_without_a_login_there_is_no_logo(app, db, client, startup):
    with_logo(db, startup)
    assert client.get(f"/api/v1/startups/{startup.id}/logo").status_code == 401
    response = client.get(f"/my/startups/{startup.id}/logo")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_cofounder_can_upload_fetch_and_remove(app, db, client, startup, cofounder, founder, api_token, dirs):
    token = api_token(cofounder)
    assert api_put(client, token, startup.id, data=JPEG, name="ours.jpg").status_code == 200
    assert client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token)).data == JPEG
    # ... and the owner sees what the co-founder uploaded.
    assert client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(api_token(founder))).data == JPEG
    assert client.delete(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token)).status_code == 204
    assert reload(db, startup.id).logo_key is None and stored_files(dirs) == []


# --- The edit page ---------------------------------------------------------------------------------

def _forms_nest(page: str) -> bool:
    depth = 0
    for tag in re.findall(r"<form\b|</form>", page):
        depth += 1 if tag == "<form" else -1
        if depth > 1:
            return True
    return False


def test_the_edit_page_has_a_logo_form_of_its_own(app, db, client, startup, founder, login):
    login(founder)
    page = client.get(f"/my/startups/{startup.id}")
    body = page.get_data(as_text=True)
    assert 'id="no-logo"' in body and "<img" not in body.split('id="logo"', 1)[1].split("</section>", 1)[0]
    assert not _forms_nest(body)
    upload_form = re.search(rf'<form[^>]*action="/my/startups/{startup.id}/logo"[^>]*>.*?</form>', body, re.S)
    assert upload_form and 'enctype="multipart/form-data"' in upload_form.group(0)
    assert 'type="file"' in upload_form.group(0) and 'name="logo"' in upload_form.group(0)
    assert 'accept=".png,.jpg,.jpeg"' in upload_form.group(0) and 'name="csrf_token"' in upload_form.group(0)
    assert "up to 2 MB" in text_of(page)


def test_upload_show_and_remove_in_the_page_without_javascript(app, db, client, startup, founder, login, dirs):
    login(founder)
    response = web_upload(client, startup.id)
    assert response.status_code == 302 and response.location.endswith(f"/my/startups/{startup.id}#logo")
    row = reload(db, startup.id)
    assert row.logo_content_type == "image/png" and stored_files(dirs) == [path_of(dirs, row.logo_key)]

    page = client.get(f"/my/startups/{startup.id}")
    body = text_of(page)
    assert "The logo of Paxta AI is saved." in body
    image = re.search(r"<img[^>]*>", page.get_data(as_text=True).split('id="logo"', 1)[1]).group(0)
    assert f'src="/my/startups/{startup.id}/logo?v={logo.logo_version(row)}"' in image
    assert 'alt="Logo of Paxta AI"' in image
    assert f'action="/my/startups/{startup.id}/logo/delete"' in body and "Remove the logo" in body
    assert not _forms_nest(page.get_data(as_text=True))

    fetched = client.get(f"/my/startups/{startup.id}/logo")
    assert fetched.status_code == 200 and fetched.data == PNG
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.headers["X-Content-Type-Options"] == "nosniff"
    assert fetched.headers["Content-Disposition"] == 'inline; filename="logo.png"'
    assert fetched.headers["Cache-Control"] == "private, max-age=300"

    replaced = web_upload(client, startup.id, data=JPEG, name="new.jpg")
    assert replaced.status_code == 302
    row = reload(db, startup.id)
    assert row.logo_content_type == "image/jpeg" and stored_files(dirs) == [path_of(dirs, row.logo_key)]

    removed = web_remove(client, startup.id)
    assert removed.status_code == 302 and removed.location.endswith("#logo")
    assert reload(db, startup.id).logo_key is None and stored_files(dirs) == []
    assert "Paxta AI no longer has a logo." in text_of(client.get(f"/my/startups/{startup.id}"))


def test_the_page_shows_why_an_upload_was_refused(app, db, client, startup, founder, login, dirs):
    login(founder)
    refused = web_upload(client, startup.id, data=HTML_PAGE, name="logo.png")
    assert refused.status_code == 422
    body = text_of(refused)
    assert "“logo.png” is not a PNG or JPEG image: its content is HTML or XML (a web page)." in body
    assert 'id="logo-error"' in body and 'aria-describedby="logo-help logo-error"' in body

    app.config["LOGO_MAX_MB"] = 0.01
    too_big = web_upload(client, startup.id, data=PNG + bytes(11 * 1024), name="big.png")
    assert too_big.status_code == 413
    assert "The logo is larger than the limit of 0.01 MB" in text_of(too_big)

    nothing = web_upload(client, startup.id, data=b"", name="")
    assert nothing.status_code == 422 and "Choose a PNG or JPEG image to upload." in text_of(nothing)
    assert reload(db, startup.id).logo_key is None and leftovers(dirs) == []


def test_a_cofounder_uploads_in_the_page(app, db, client, startup, cofounder, login, dirs):
    login(cofounder)
    assert web_upload(client, startup.id, data=JPEG, name="ours.jpg").status_code == 302
    assert reload(db, startup.id).logo_content_type == "image/jpeg"
    assert client.get(f"/my/startups/{startup.id}/logo").data == JPEG


def test_a_missing_stored_file_is_a_404_not_a_500(app, db, client, startup, token, dirs):
    key = with_logo(db, startup)
    path_of(dirs, key).unlink()
    response = client.get(f"/api/v1/startups/{startup.id}/logo", headers=bearer(token))
    assert response.status_code == 404
    assert db.session.scalar(select(Startup.logo_key).where(Startup.id == startup.id)) == key
