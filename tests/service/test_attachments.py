"""Images attached to draft posts (issue 13 §4): OCR, screening with word boxes, the post's
verdict, the approval rules, the API and the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from ocr_images import FONT_FOR, raqm_missing, render, ttf
from satark.service.context import Services
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import AuditEvent

from .conftest import CLEAR_BN, Api, Demo, Flow

pytest.importorskip("pytesseract", reason="pytesseract is not installed (the 'scan' extra)")
pytest.importorskip("PIL", reason="Pillow is not installed (the 'scan' extra)")
if shutil.which("tesseract") is None:
    pytest.skip("Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-hin "
                "tesseract-ocr-ben)", allow_module_level=True)
if raqm_missing():
    pytest.skip(str(raqm_missing()), allow_module_level=True)

ABUSE_WORD = "খানকির"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    fonts = tmp_path_factory.mktemp("fonts")
    bengali = ttf(FONT_FOR["bn"], fonts)
    return {
        "abusive": render(["সভায় কর্মকর্তা বললেন", f"তোরা সব {ABUSE_WORD} পোলা"], bengali, size=28),
        "clear": render(["বিজয় দিবসের শুভেচ্ছা", "জেলা প্রশাসন, ঢাকা"], bengali, size=28),
    }


def _attach(api: Api, post_id: int, content: bytes, name: str = "notice.png", status: int = 201) -> Any:
    return api.ok("POST", f"/posts/{post_id}/attachments", status, files={"file": (name, content, "image/png")})


def _overlaps(a: dict[str, int], b: dict[str, int]) -> bool:
    return (a["left"] < b["left"] + b["width"] and b["left"] < a["left"] + a["width"]
            and a["top"] < b["top"] + b["height"] and b["top"] < a["top"] + a["height"])


def test_an_image_is_read_screened_and_counts_in_the_verdict(
    as_user: Callable[[str], Api], demo: Demo, flow: Flow, images: dict[str, bytes], svc: Services,
    check_error: Callable[..., Any],
) -> None:
    rahima, karim = as_user("rahima"), as_user("karim")
    post = flow.create(CLEAR_BN)
    assert post["verdict"] == "clear"
    image = _attach(rahima, post["id"], images["abusive"])
    assert image["verdict"] == "block" and ABUSE_WORD in image["ocr_text"].split()
    assert image["sha256"] == hashlib.sha256(images["abusive"]).hexdigest()
    finding = next(f for f in image["findings"] if f["category"] == "obscene_abusive")
    word = next(w for w in image["words"] if w["text"] == ABUSE_WORD)
    assert any(_overlaps(b, word["box"]) for b in finding["boxes"])
    assert image["ocr_text"][word["start"]:word["end"]] == ABUSE_WORD
    assert rahima.ok("GET", f"/posts/{post['id']}")["verdict"] == "block"
    # the list, and the file itself (checked against its hash)
    assert [a["id"] for a in karim.ok("GET", f"/posts/{post['id']}/attachments")] == [image["id"]]
    got = karim.get(f"/posts/{post['id']}/attachments/{image['id']}")
    assert got.status_code == 200 and got.content == images["abusive"]
    assert got.headers["content-type"] == "image/png" and got.headers["x-content-sha256"] == image["sha256"]
    # editing the text does not forget the image
    rahima.ok("PUT", f"/posts/{post['id']}", json={"text": CLEAR_BN + " সবাইকে আমন্ত্রণ।"})
    assert rahima.ok("GET", f"/posts/{post['id']}")["verdict"] == "block"
    # a block in the image asks the author to confirm, like one in the text
    body = check_error(rahima.post(f"/posts/{post['id']}/submit", json={}), 409)
    assert any(f.get("attachment_id") == image["id"] and f["category"] == "obscene_abusive"
               for f in body["details"]["findings"])
    rahima.ok("POST", f"/posts/{post['id']}/submit", json={"confirm": True})
    # images are fixed once submitted
    check_error(rahima.delete(f"/posts/{post['id']}/attachments/{image['id']}"), 409)
    check_error(_attach_raw(rahima, post["id"], images["clear"]), 409)
    # and the approver needs an override reason
    check_error(karim.post(f"/posts/{post['id']}/approve", json={"comment": "ok"}), 422)
    with svc.db.session(write=False) as session:
        events = session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == post["id"],
                                                                    AuditEvent.object_type == "post")).all()
    assert "post_attachment_added" in events


def _attach_raw(api: Api, post_id: int, content: bytes, name: str = "notice.png") -> Any:
    return api.post(f"/posts/{post_id}/attachments", files={"file": (name, content, "image/png")})


def test_removing_the_image_clears_the_verdict_and_the_uploader_is_an_editor(
    as_user: Callable[[str], Api], flow: Flow, images: dict[str, bytes], check_error: Callable[..., Any],
) -> None:
    rahima, sohel = as_user("rahima"), as_user("sohel")
    post = flow.create(CLEAR_BN)
    clear = _attach(sohel, post["id"], images["clear"], "greeting.png")  # a moderator may edit any post
    assert clear["verdict"] == "clear" and "বিজয়" in clear["ocr_text"]
    bad = _attach(rahima, post["id"], images["abusive"])
    assert rahima.ok("GET", f"/posts/{post['id']}")["verdict"] == "block"
    done = rahima.ok("DELETE", f"/posts/{post['id']}/attachments/{bad['id']}")
    assert done == {"id": bad["id"], "deleted": True, "post_verdict": "clear"}
    assert rahima.ok("GET", f"/posts/{post['id']}")["verdict"] == "clear"
    check_error(rahima.get(f"/posts/{post['id']}/attachments/{bad['id']}"), 404)
    revisions = rahima.ok("GET", f"/posts/{post['id']}/revisions")
    assert revisions[-1]["number"] == 1  # attaching is not a new revision of the text


def test_who_may_attach_and_what(
    as_user: Callable[[str], Api], flow: Flow, images: dict[str, bytes], check_error: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = flow.create(CLEAR_BN)
    check_error(_attach_raw(as_user("karim"), post["id"], images["clear"]), 403)  # an approver
    check_error(_attach_raw(as_user("priya"), post["id"], images["clear"]), 404)  # another institution
    rahima = as_user("rahima")
    check_error(rahima.post(f"/posts/{post['id']}/attachments",
                            files={"file": ("notes.txt", "লেখা".encode(), "text/plain")}), 422)
    check_error(_attach_raw(rahima, post["id"], images["clear"], "notice.jpg"), 422)  # the name must agree
    check_error(_attach_raw(rahima, post["id"], b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), 422)  # a broken PNG
    check_error(rahima.get(f"/posts/{post['id']}/attachments/999"), 404)

    from satark import ocr

    def missing(*_args: Any, **_kwargs: Any) -> Any:
        raise ocr.OcrUnavailable(ocr.INSTALL_HINT)

    monkeypatch.setattr(ocr, "read_image", missing)
    body = check_error(_attach_raw(rahima, post["id"], images["clear"]), 503)
    assert "Tesseract is not installed" in body["message"] and "tesseract-ocr-ben" in body["message"]
    assert rahima.ok("GET", f"/posts/{post['id']}/attachments") == []


def _login(client: Any, username: str, page: str) -> str:
    client.cookies.clear()
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/"},
                    headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = _CSRF.search(client.get(page).text)
    assert found
    return found.group(1)


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_the_pages_upload_and_show_the_boxes(client: Any, flow: Flow, images: dict[str, bytes], lang: str) -> None:
    post = flow.create(CLEAR_BN)
    csrf = _login(client, "rahima", f"/posts/{post['id']}/edit")
    client.cookies.set("satark_lang", lang)
    edit = client.get(f"/posts/{post['id']}/edit")
    assert 'enctype="multipart/form-data"' in edit.text and f"/posts/{post['id']}/attachments/new" in edit.text
    r = client.post(f"/posts/{post['id']}/attachments/new", data={"csrf_token": csrf},
                    files={"image": ("notice.png", images["abusive"], "image/png")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/edit#images")
    flash = client.get(r.headers["location"])
    attached = {"en": "The image is attached", "bn": "ছবিটি সংযুক্ত হয়েছে"}
    assert attached[lang] in flash.text
    page = client.get(f"/posts/{post['id']}")
    assert page.status_code == 200
    svg = re.search(r'<svg class="ocr-boxes" viewBox="0 0 (\d+) (\d+)"[^>]*>(.*?)</svg>', page.text, re.S)
    assert svg, page.text
    from PIL import Image

    width, height = Image.open(io.BytesIO(images["abusive"])).size
    assert (int(svg.group(1)), int(svg.group(2))) == (width, height)
    assert 'class="ocr-box flag-obscene_abusive"' in svg.group(3)
    assert ABUSE_WORD in page.text  # the evidence, next to the finding's explanation
    src = re.search(r'<img src="(/posts/\d+/attachments/\d+)"', page.text)
    assert src and client.get(src.group(1)).content == images["abusive"]
    # a file that is not an image: back to the editor, with the reason in the user's language
    r = client.post(f"/posts/{post['id']}/attachments/new", data={"csrf_token": csrf},
                    files={"image": ("notes.txt", b"hello", "text/plain")})
    reason = {"en": "only PNG or JPEG images may be attached to a post", "bn": "কেবল PNG বা JPEG ছবি"}
    assert r.status_code == 200 and reason[lang] in r.text
    image_id = int(src.group(1).rsplit("/", 1)[1])
    r = client.post(f"/posts/{post['id']}/attachments/{image_id}/delete", data={"csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert 'class="ocr-boxes"' not in client.get(f"/posts/{post['id']}").text
    # without the CSRF token nothing is attached
    r = client.post(f"/posts/{post['id']}/attachments/new", data={},
                    files={"image": ("notice.png", images["clear"], "image/png")}, follow_redirects=False)
    assert r.status_code == 403
    assert "ocr-figure" not in client.get(f"/posts/{post['id']}").text



def test_the_words_in_a_published_posts_image_are_found_in_the_archive(
        as_user: Callable[[str], Api], flow: Flow, images: dict[str, bytes]) -> None:
    rahima, karim, sohel = as_user("rahima"), as_user("karim"), as_user("sohel")
    post = flow.create(CLEAR_BN)
    pid = post["id"]
    _attach(rahima, pid, images["clear"])
    rahima.ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    karim.ok("POST", f"/posts/{pid}/approve", json={"comment": "ঠিক আছে"})
    sohel.ok("POST", f"/posts/{pid}/publish", json={"url": f"https://example.gov/posts/{pid}"})
    # "বিজয় দিবসের শুভেচ্ছা" is only in the picture, not in the post's text.
    assert "শুভেচ্ছা" not in CLEAR_BN
    found = as_user("admin").ok("GET", "/archive?q=শুভেচ্ছা")
    assert pid in {r["id"] for r in found["results"]}
