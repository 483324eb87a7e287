"""Posts: the list, the editor with live screening, a post's page with its workflow forms,
and the personal pre-check.

Every change is a plain form POST answered with a redirect (POST-redirect-GET), so the pages
work without JavaScript; htmx only adds screening as the author types (``/ui/screen``). A
refused action re-renders the post's page with the message next to the form that caused it,
keeping what was typed, instead of redirecting and losing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import accounts, checks, workflow
from ..access import can
from ..api.routes import default_jurisdiction
from ..attachments import attachments_of
from ..errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceError
from ..i18n import N_, make_environment
from ..models import Account, Approval, Post, SavedCheck
from ..timezones import zone
from ..workflow import STATES, TRANSITIONS, active_approvals, barred_approvers, current_revision
from .forms import Form, opt_datetime, opt_int, text
from .render import Web, WebRoute, error_key, message, redirect, services, web_unit

router = APIRouter(route_class=WebRoute)

MAX_TEXT = 20_000
#: What workflow says about an empty text (and what the editor says the same way).
EMPTY_TEXT = "the post text is empty"
#: URL slug → workflow action, for ``POST /posts/{id}/{slug}``.
ACTIONS = {a.replace("_", "-"): a for a in TRANSITIONS if a != "edit"}
#: Where an InvalidInput from each action belongs, and what to say there.
FIELD_ERRORS: dict[str, tuple[str, str]] = {
    "approve": ("override_reason", N_("Write why you approve despite the findings (at least 10 characters).")),
    "request_changes": ("comment", N_("Write a comment for the author (at least 10 characters).")),
    "reject": ("comment", N_("Write a comment for the author (at least 10 characters).")),
    "publish": ("url", N_("Give the published post's address, starting with https:// or http://.")),
    "correct": ("note", N_("Say what was wrong (at least 10 characters).")),
    "retract": ("reason", N_("Write the reason for the retraction (at least 10 characters).")),
}


def allowed_actions(web: Web, post: Post) -> set[str]:
    """The workflow actions this user may take on this post now: its state and their roles agree."""
    session, user = web.session, web.user
    own = post.author_id == user.id

    def may(perm: str) -> bool:
        return can(session, user, perm, post.institution_id)

    editor = may("write_post") if own else may("edit_any_post")
    # Nobody decides on a text they wrote or edited (or a retraction they asked for).
    reviewer = user.id not in barred_approvers(post) and may("review")
    needs: dict[str, bool] = {
        "edit": editor, "submit": editor, "withdraw": editor,
        "approve": reviewer, "request_changes": reviewer, "reject": reviewer,
        "publish": may("publish") if own else may("edit_any_post"),
        "correct": may("correct") if own else may("edit_any_post"),
        "retract": may("retract") or may("review"), "archive": may("archive"),
    }
    out = {a for a, (states, _) in TRANSITIONS.items() if post.state in states and needs[a]}
    if post.pending:  # a correction or retraction awaits approval: decide on it, or fast-track a retraction
        out -= {"correct", "archive", "request_changes"}
        if not may("review"):
            out.discard("retract")
        if reviewer:
            out |= {"approve", "reject"}
    if "approve" in out and any(a.user_id == user.id for a in active_approvals(post)):
        out.discard("approve")
    return out


def writable_accounts(web: Web) -> list[Account]:
    cache: dict[int, bool] = {}
    out = []
    for account in accounts.list_accounts(web.session, web.user):
        if account.institution_id not in cache:
            cache[account.institution_id] = can(web.session, web.user, "write_post", account.institution_id)
        if cache[account.institution_id]:
            out.append(account)
    return out


def screen_context(web: Web, report: dict[str, Any] | None) -> dict[str, Any]:
    return {"report": report, "clauses": web.svc.screening.clauses(report) if report else {}}


# --- list -------------------------------------------------------------------------------------

@router.get("/posts", response_class=HTMLResponse)
def posts_list(request: Request) -> Response:
    q = request.query_params
    state = q.get("state") or None
    mine = q.get("mine") == "1"
    account_id = opt_int(q.get("account_id"), "account_id")
    page = opt_int(q.get("page"), "page", low=1, high=10_000) or 1
    per_page = 50
    with web_unit(request) as web:
        if state is not None and state not in STATES:
            raise InvalidInput(f"unknown state {state!r}")
        flt = workflow.PostFilter(state=state, mine=mine, account_id=account_id, limit=per_page + 1,
                                  offset=(page - 1) * per_page)
        posts = workflow.list_posts(web.session, web.user, flt)
        return web.render("posts.html", posts=posts[:per_page], has_next=len(posts) > per_page, page=page,
                          state=state, mine=mine, account_id=account_id, states=STATES)


# --- the editor -------------------------------------------------------------------------------

def changes_request(post: Post | None) -> Approval | None:
    """The reviewer's "changes requested" decision a post sent back is waiting on (the latest)."""
    if post is None or post.state != "changes_requested":
        return None
    return next((a for a in reversed(post.approvals) if a.decision == "changes_requested"), None)


def _editor(web: Web, *, post: Post | None, values: dict[str, Any], report: dict[str, Any] | None = None,
            errors: dict[str, str] | None = None, status: int = 200,
            messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    extra: dict[str, Any] = {} if post is None else {
        "time_zone": post.institution.timezone, "images": attachments_of(web.session, post),
        "images_editable": "edit" in allowed_actions(web, post)}
    return web.render(
        "post_edit.html", status=status, messages=messages or [], post=post,
        accounts=writable_accounts(web) if post is None else [post.account], values=values,
        errors=errors or {}, request_path="/posts/new" if post is None else f"/posts/{post.id}/edit",
        changes_request=changes_request(post), **extra, **screen_context(web, report),
    )


@router.get("/posts/new", response_class=HTMLResponse)
def new_post(request: Request) -> Response:
    with web_unit(request) as web:
        account_id = opt_int(request.query_params.get("account_id"), "account_id")
        return _editor(web, post=None, values={"account_id": account_id, "title": "", "text": ""})


def _account_for(web: Web, form: FormData) -> Account:
    account_id = opt_int(form.get("account_id"), "account")
    if account_id is None:
        raise InvalidInput("choose an account")
    return accounts.get_account(web.session, web.user, account_id)


def _prescreen(request: Request, form: FormData, body: str, jurisdiction_of: Callable[[Web], str]) -> None:
    """Screen a text before the write unit that stores it (like ``api.routes.prescreen``): a
    read unit finds its rules, and the workflow then gets the cached report. Whatever fails
    here is left for the write unit, which meets it again and reports it as it always has."""
    if not body.strip():
        return
    try:
        with web_unit(request, form, write=False) as web:
            jurisdiction = jurisdiction_of(web)
        web.svc.screening.screen(body, jurisdiction=jurisdiction, account_type="official")
    except ServiceError:
        return


@router.post("/posts/new", response_class=HTMLResponse)
def create_post(request: Request, form: Form) -> Response:
    title, body = text(form, "title", limit=200), text(form, "text", limit=MAX_TEXT)
    values: dict[str, Any] = {"account_id": form.get("account_id"), "title": title, "text": body}
    save = form.get("action") != "check"
    try:
        if save:
            _prescreen(request, form, body, lambda web: _account_for(web, form).institution.jurisdiction)
        # "Check" only reads: it screens in a read unit, away from the write lock.
        with web_unit(request, form, write=save) as web:
            if save:
                post = workflow.create_post(web.session, web.svc.screening, web.user,
                                            account_id=opt_int(values["account_id"], "account") or 0,
                                            text=body, title=title)
                return redirect(f"/posts/{post.id}", ("success", "draft_saved", ""))
            account = _account_for(web, form)
            if not body.strip():
                raise InvalidInput(EMPTY_TEXT)
            report = web.svc.screening.screen(body, jurisdiction=account.institution.jurisdiction,
                                              account_type="official")
            return _editor(web, post=None, values=values, report=report)
    except (NotAuthenticated, Forbidden):
        raise
    except ServiceError as exc:
        with web_unit(request, form, write=False) as web:
            errors = {}
            if exc.message == EMPTY_TEXT:
                errors["text"] = web.gettext(N_("Write the post's text."))
            elif isinstance(exc, NotFound) or "account" in exc.message:
                errors["account_id"] = web.gettext(N_("Choose an account."))
            return _editor(web, post=None, values=values, errors=errors, status=exc.status,
                           messages=[("error", message(web.locale, error_key(exc), exc.message))])


def _editable(web: Web, post_id: int) -> Post:
    post = workflow.get_post(web.session, web.user, post_id)
    if "edit" not in allowed_actions(web, post):
        raise Conflict("this post cannot be edited now (only drafts and posts sent back for changes)")
    return post


@router.get("/posts/{post_id:int}/edit", response_class=HTMLResponse)
def edit_post_page(post_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        post = workflow.get_post(web.session, web.user, post_id)
        if "edit" not in allowed_actions(web, post):
            return redirect(f"/posts/{post.id}", ("error", "conflict", ""))
        current = current_revision(post)
        return _editor(web, post=post, values={"account_id": post.account_id, "title": post.title,
                                               "text": current.text}, report=current.report)


@router.post("/posts/{post_id:int}/edit", response_class=HTMLResponse)
def edit_post(post_id: int, request: Request, form: Form) -> Response:
    values: dict[str, Any] = {"title": text(form, "title", limit=200), "text": text(form, "text", limit=MAX_TEXT)}
    save = form.get("action") != "check"
    try:
        if save:
            _prescreen(request, form, values["text"],
                       lambda web: workflow.get_post(web.session, web.user, post_id).institution.jurisdiction)
        with web_unit(request, form, write=save) as web:
            post = _editable(web, post_id)
            values["account_id"] = post.account_id
            if save:
                before = post.revision_number
                revision = workflow.edit_post(web.session, web.svc.screening, web.user, post, text=values["text"],
                                              title=values["title"])
                key = "post_edited" if revision.number != before else "no_change"
                return redirect(f"/posts/{post.id}", ("success", key, ""))
            if not values["text"].strip():
                raise InvalidInput(EMPTY_TEXT)
            report = web.svc.screening.screen(values["text"], jurisdiction=post.institution.jurisdiction,
                                              account_type="official")
            return _editor(web, post=post, values=values, report=report)
    except (NotAuthenticated, Forbidden, NotFound):
        raise
    except Conflict:  # no longer editable (submitted meanwhile, say): show the post as it now is
        return redirect(f"/posts/{post_id}", ("error", "conflict", ""))
    except ServiceError as exc:
        with web_unit(request, form, write=False) as web:
            post = workflow.get_post(web.session, web.user, post_id)
            values["account_id"] = post.account_id
            errors = {"text": web.gettext(N_("Write the post's text."))} if exc.message == EMPTY_TEXT else {}
            return _editor(web, post=post, values=values, errors=errors, status=exc.status,
                           messages=[("error", message(web.locale, error_key(exc), exc.message))])


# --- live screening ---------------------------------------------------------------------------

@router.post("/ui/screen", response_class=HTMLResponse)
async def ui_screen(request: Request, form: Form) -> Response:
    """The report partial for htmx: its live region, to be swapped in place. Nothing is stored.

    The editor's busiest request, so it takes the path of ``POST /api/v1/screen``: async, the
    login check in a read unit on a pool thread (no write lock), then a wait for the
    screening thread that holds no thread at all.
    """
    body = text(form, "text", limit=MAX_TEXT)
    svc = services(request)

    def login() -> tuple[str, tuple[str, str] | None, str]:
        target: tuple[str, str] | None = None
        error = ""
        with web_unit(request, form, write=False) as web:
            try:
                if body.strip():
                    if form.get("account_id"):
                        account = _account_for(web, form)
                        target = (account.institution.jurisdiction, "official")
                    else:
                        target = (str(form.get("jurisdiction") or default_jurisdiction(web.session, web.user)),
                                  "official" if form.get("account_type") == "official" else "personal")
            except ServiceError as exc:
                error = str(message(web.locale, error_key(exc), exc.message))
            return web.locale, target, error

    locale, target, error = await run_in_threadpool(login)
    report: dict[str, Any] | None = None
    if target is not None:
        try:
            report = await svc.screening.screen_async(body, jurisdiction=target[0], account_type=target[1],
                                                      mode=svc.settings.live_mode)
        except ServiceError as exc:
            error = str(message(locale, error_key(exc), exc.message))
    # Say so when the live check is lighter than the one a saved draft gets.
    live_note = report is not None and report["mode"] != svc.screening.screener.mode
    html = make_environment(locale).get_template("_report.html").render(
        screen_error=error, live_note=live_note, report=report,
        clauses=svc.screening.clauses(report) if report else {})
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


# --- a post and its workflow ------------------------------------------------------------------

def _post_page(web: Web, post: Post, *, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
               status: int = 200, messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    current = current_revision(post)
    published = next((r for r in post.revisions if r.number == post.published_revision), None)
    corrections = [r for r in post.revisions if r.is_live_correction]
    # Only overrides that still stand for the revision shown: an earlier revision's override
    # stays in the decisions table (with its revision), never in the warning about this one.
    overrides = [a for a in post.approvals if a.override_reason and a.active and a.revision_number == current.number]
    return web.render(
        "post.html", status=status, messages=messages or [], request_path=f"/posts/{post.id}", post=post,
        time_zone=post.institution.timezone, current=current, published=published, corrections=corrections,
        pending_correction=current if post.pending == "correction" else None,
        can_fast_track=can(web.session, web.user, "review", post.institution_id),
        decisions=post.approvals, overrides=overrides,
        approvals=len(active_approvals(post)), actions=allowed_actions(web, post), errors=errors or {},
        values=values or {}, images=attachments_of(web.session, post), **screen_context(web, current.report),
    )


@router.get("/posts/{post_id:int}", response_class=HTMLResponse)
def post_page(post_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        return _post_page(web, workflow.get_post(web.session, web.user, post_id))


def _act(web: Web, post: Post, action: str, form: FormData) -> None:
    session, user, screening = web.session, web.user, web.svc.screening
    if action == "submit":
        workflow.submit(session, user, post, confirm=form.get("confirm") == "1")
    elif action == "withdraw":
        workflow.withdraw(session, user, post)
    elif action == "approve":
        workflow.approve(session, user, post, comment=text(form, "comment", limit=5000),
                         override_reason=text(form, "override_reason", limit=5000) or None)
    elif action == "request_changes":
        workflow.request_changes(session, user, post, comment=text(form, "comment", limit=5000))
    elif action == "reject":
        workflow.reject(session, user, post, comment=text(form, "comment", limit=5000))
    elif action == "publish":
        try:
            # Typed in the post's institution's zone (the form says which).
            when = opt_datetime(form.get("published_at"), "the publication time",
                                tz=zone(post.institution.timezone))
        except InvalidInput as exc:
            exc.details["field"] = "published_at"
            raise
        workflow.publish(session, user, post, url=text(form, "url", limit=500), published_at=when)
    elif action == "correct":
        body = text(form, "text", limit=MAX_TEXT)
        if not body.strip():
            raise InvalidInput(EMPTY_TEXT, field="text")
        workflow.correct(session, screening, user, post, text=body, note=text(form, "note", limit=5000))
    elif action == "retract":
        workflow.retract(session, user, post, reason=text(form, "reason", limit=5000),
                         fast_track=form.get("fast_track") == "1")
    elif action == "archive":
        workflow.archive(session, user, post)
    else:  # pragma: no cover - ACTIONS holds exactly the names above
        raise NotFound(f"no action {action}")


@router.post("/posts/{post_id:int}/{slug}", response_class=HTMLResponse)
def post_action(post_id: int, slug: str, request: Request, form: Form) -> Response:
    action = ACTIONS.get(slug)
    if action is None:
        raise NotFound(f"no action {slug!r}")
    checked = False
    if action == "correct":  # a correction is screened: before the write unit
        _prescreen(request, form, str(form.get("text") or ""),
                   lambda web: workflow.get_post(web.session, web.user, post_id).institution.jurisdiction)
    try:
        with web_unit(request, form) as web:
            checked = True  # the login and CSRF token are good; what fails now is the action itself
            post = workflow.get_post(web.session, web.user, post_id)
            _act(web, post, action, form)
            key = action
            if post.pending and action in ("correct", "retract"):
                key = f"{post.pending}_submitted"
            return redirect(f"/posts/{post.id}", ("success", key, ""))
    except ServiceError as exc:
        if not checked or isinstance(exc, (NotAuthenticated, NotFound)):
            raise
        failure = exc
    with web_unit(request, form, write=False) as web:
        post = workflow.get_post(web.session, web.user, post_id)
        errors: dict[str, str] = {}
        if isinstance(failure, InvalidInput):
            field, msg = FIELD_ERRORS.get(action, ("", ""))
            if failure.details.get("field") == "published_at":
                field, msg = "published_at", N_("Give the time as a date and time, or leave it empty.")
            elif failure.details.get("field") == "text":
                field, msg = "text", N_("Write the post's text.")
            if field:
                errors[f"{action}.{field}"] = web.gettext(msg)
        key, detail = error_key(failure), failure.message
        if failure.details.get("needs_confirmation"):
            key, detail = "needs_confirmation", ""
            errors["submit.confirm"] = web.gettext(N_("Confirm that you have read the findings."))
        elif failure.details.get("reason") == "own_work":
            key, detail = "own_work", ""
        values = {f"{action}.{k}": v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _post_page(web, post, errors=errors, values=values, status=failure.status,
                          messages=[("error", message(web.locale, key, detail))])


# --- personal pre-check -----------------------------------------------------------------------

def _jurisdictions(web: Web) -> tuple[list[str], str]:
    codes = sorted(web.svc.screening.jurisdictions())
    try:
        default = default_jurisdiction(web.session, web.user)
    except ServiceError:
        default = codes[0] if codes else ""
    return codes, default


def _check_page(web: Web, *, values: dict[str, Any], report: dict[str, Any] | None = None,
                shown: SavedCheck | None = None, errors: dict[str, str] | None = None, status: int = 200,
                messages: list[tuple[str, Any]] | None = None, unsaved: bool = False) -> HTMLResponse:
    codes, default = _jurisdictions(web)
    values.setdefault("jurisdiction", default)
    return web.render("check.html", status=status, messages=messages or [], request_path="/check",
                      jurisdictions=codes, values=values, saved=checks.saved_checks(web.session, web.user), shown=shown,
                      errors=errors or {}, unsaved=unsaved, **screen_context(web, report))


@router.get("/check", response_class=HTMLResponse)
def check_page(request: Request) -> Response:
    with web_unit(request) as web:
        show = opt_int(request.query_params.get("show"), "show")
        shown = checks.own_check(web.session, web.user, show) if show is not None else None
        values: dict[str, Any] = {"text": shown.text, "jurisdiction": shown.jurisdiction} if shown else {"text": ""}
        return _check_page(web, values=values, report=shown.report if shown else None, shown=shown)


@router.post("/check", response_class=HTMLResponse)
def run_check(request: Request, form: Form) -> Response:
    """Screen a personal post; store it only when the user ticked "save" (nothing is kept otherwise).

    Screening runs between two units of work, never inside one (see :func:`ui_screen`).
    """
    values = {"text": text(form, "text", limit=MAX_TEXT), "jurisdiction": str(form.get("jurisdiction") or "")}
    save = form.get("save") == "1"
    with web_unit(request, form, write=False) as web:
        if not values["text"].strip():
            return _check_page(web, values=values, status=422,
                               errors={"text": web.gettext(N_("Write the text to check."))},
                               messages=[("error", message(web.locale, "invalid"))])
        jurisdiction = values["jurisdiction"] or default_jurisdiction(web.session, web.user)
    try:
        report = web.svc.screening.screen(values["text"], jurisdiction=jurisdiction, account_type="personal")
    except ServiceError as exc:
        with web_unit(request, form, write=False) as web:
            return _check_page(web, values=values, status=exc.status,
                               messages=[("error", message(web.locale, error_key(exc), exc.message))])
    with web_unit(request, form, write=save) as web:
        if save:
            row = checks.save_check(web.session, web.user, jurisdiction=jurisdiction, text=values["text"],
                                    report=report)
            return redirect(f"/check?show={row.id}#screen-result", ("success", "check_saved", ""))
        return _check_page(web, values=values, report=report, unsaved=True)


@router.post("/check/{check_id:int}/delete")
def delete_check(check_id: int, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        checks.delete_check(web.session, web.user, check_id)
        return redirect("/check", ("success", "check_deleted", ""))

