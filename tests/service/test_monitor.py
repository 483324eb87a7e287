"""The monitor's dashboard (/monitor), the report form and the report API: who may, and what they see."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from typing import Any

import pytest
from openpyxl import load_workbook

from satark.service import inbox
from satark.service.context import Services
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import utcnow
from satark.service.models_inbox import InboxItem
from satark.service.reports.quarter import Quarter

from .conftest import Api, Demo

HTML = {"accept": "text/html"}


def login(client: Any, username: str) -> None:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def text_of(html: str) -> str:
    main = re.search(r"<main\b.*?</main>", html, flags=re.S)
    assert main, html[:300]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main.group(0))).split())


def rows_of(html: str) -> list[str]:
    """The institution ids of the hierarchy table, in order."""
    return re.findall(r'class="institution-row" data-institution="(\d+)"', html)


@pytest.mark.parametrize("username", ["monitor", "admin"])
def test_monitors_and_admins_see_the_dashboard_down_the_hierarchy(client: Any, demo: Demo, username: str) -> None:
    login(client, username)
    page = client.get("/monitor", headers=HTML)
    assert page.status_code == 200
    ministry, district = str(demo.institutions["ministry"]), str(demo.institutions["district"])
    rows = rows_of(page.text)
    assert rows.index(district) == rows.index(ministry) + 1  # the ministry, then the district office below it
    assert (str(demo.institutions["cg"]) in rows) == (username == "admin")  # the site admin sees all
    text = text_of(page.text)
    assert "Down the hierarchy" in text and "Pending approvals by age" in text
    assert "সেবা সপ্তাহ" in text  # the demo's post waiting for approval
    assert "Personal content on an official page" in text  # what screening found in it
    assert "Md. Abdul Karim" in text and "§6.1(ক)" in text  # the account named after a person
    assert 'href="/monitor/report' in page.text


@pytest.mark.parametrize("username", ["rahima", "karim", "sohel"])
def test_authors_approvers_and_moderators_do_not(client: Any, demo: Demo, username: str) -> None:
    login(client, username)
    for path in ("/monitor", "/monitor/report"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 403, path
        assert "this needs the role admin or monitor in the institution" in page.text
    assert client.get(f"/monitor/report/file?institution_id={demo.institutions['district']}&quarter=2026Q3",
                      headers=HTML).status_code in (403, 404)


def test_one_institution_and_an_overdue_comment(client: Any, demo: Demo, svc: Services) -> None:
    now = utcnow()
    with svc.db.session(write=False) as session:  # the demo's own overdue comments
        before = len(inbox.overdue_items(session, [demo.institutions["district"]], now))
    with svc.db.session() as session:
        session.add(InboxItem(institution_id=demo.institutions["district"], account_id=demo.accounts["dhaka_fb"],
                              platform="facebook", author_handle="citizen1", text="রাস্তার বাতি কবে ঠিক হবে?",
                              received_at=now - dt.timedelta(hours=30), due_at=now - dt.timedelta(hours=6),
                              report={"findings": []}, kind="question"))
    login(client, "monitor")
    page = client.get(f"/monitor?institution={demo.institutions['district']}", headers=HTML)
    assert page.status_code == 200
    assert rows_of(page.text) == [str(demo.institutions["district"])]
    text = text_of(page.text)
    assert f"Overdue comments ({before + 1})" in text and "Comment " in text and "6 hours" in text
    assert "রাস্তার বাতি" not in text  # a citizen's words stay in the inbox, for those who handle them
    whole = text_of(client.get("/monitor", headers=HTML).text)
    assert f"Overdue comments ({before + 1})" in whole
    # An institution the monitor does not oversee is not found.
    assert client.get(f"/monitor?institution={demo.institutions['cg']}", headers=HTML).status_code == 404


def test_the_report_form_downloads_each_format(client: Any, demo: Demo) -> None:
    login(client, "monitor")
    form = client.get("/monitor/report", headers=HTML)
    assert form.status_code == 200
    assert 'action="/monitor/report/file"' in form.text and 'name="include_children"' in form.text
    # Every institution the monitor oversees and every format is offered (a Jinja loop that
    # built these lists once left both selects empty).
    for key in ("ministry", "district"):
        assert f'<option value="{demo.institutions[key]}"' in form.text
    for fmt in ("pdf", "html", "csv", "xlsx"):
        assert f'<option value="{fmt}"' in form.text
    current = Quarter.containing(utcnow(), "Asia/Dhaka")
    assert f'<option value="{current}" selected>' in form.text
    assert f'<option value="{current.previous()}">' in form.text
    base = f"/monitor/report/file?institution_id={demo.institutions['ministry']}&include_children=1&lang=bn"
    quarter = str(Quarter.containing(utcnow(), "Asia/Dhaka"))
    pdf = client.get(f"{base}&quarter={quarter}&format=pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="satark-quarterly-{demo.institutions["ministry"]}-{quarter}-bn.pdf"')
    xlsx = client.get(f"{base}&quarter={quarter}&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "সারসংক্ষেপ"
    html = client.get(f"{base}&quarter={quarter}&format=html")
    assert html.headers["content-type"].startswith("text/html") and '<html lang="bn">' in html.text
    bad = client.get(f"{base}&quarter=2026Q9&format=pdf", headers=HTML)
    assert bad.status_code == 422 and "2026Q3" in bad.text
    assert client.get(f"{base}&quarter={quarter}&format=docx", headers=HTML).status_code == 422


def test_the_report_api(as_user: Any, demo: Demo, check_error: Any) -> None:
    monitor: Api = as_user("monitor")
    district = demo.institutions["district"]
    response = monitor.get(f"/reports/quarterly?institution_id={district}&quarter=2026Q3&format=csv&lang=hi")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.startswith("\ufeffsection,table,row,column,value")
    assert "report,meta,quarter,तिमाही,2026Q3" in response.text
    pdf = monitor.get(f"/reports/quarterly?institution_id={district}&quarter=2026Q3")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    check_error(as_user("karim").get(f"/reports/quarterly?institution_id={district}&quarter=2026Q3"), 403)
    check_error(as_user("rahima").get(
        f"/reports/quarterly?institution_id={demo.institutions['ministry']}&quarter=2026Q3"), 404)
    check_error(monitor.get(f"/reports/quarterly?institution_id={district}&quarter=2026Q5"), 422)
    check_error(monitor.get(f"/reports/quarterly?institution_id={district}&quarter=2026Q3&lang=fr"), 422)
    check_error(monitor.get("/reports/quarterly?institution_id=999999&quarter=2026Q3"), 404)
