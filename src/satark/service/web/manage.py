"""Official accounts and their §6.1 checklist, the archive, the audit trail and settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import accounts, directory, security, totp
from ..access import can
from ..accounts import ACCOUNT_FIELDS, PLATFORMS
from ..api.routes import audit_events, client_of
from ..archive import ARCHIVED_STATES, ArchiveQuery, archive_record, search, search_imported
from ..audit import verify_chain
from ..audit_view import ACTION_LABELS, AuditFilter, describe, parse_filter
from ..directory import SETTINGS_FIELDS, TEXT_SETTINGS, bounded_text
from ..errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceError
from ..i18n import LANG_COOKIE, LOCALES, N_
from ..models import ROLES, Account, ApiToken, Institution, Post, User, WebSession
from ..timezones import SUGGESTED_ZONES, check_timezone, zone
from .forms import Form, opt_date, opt_int, text, tri_bool
from .render import TWO_STEP_PAGE, Web, WebRoute, cookie_secure, error_key, message, redirect, web_unit

router = APIRouter(route_class=WebRoute)

#: Screening categories, for the archive filter (labels come from _macros.category_label).
CATEGORIES = ("confidential", "obscene_abusive", "hate_discrimination", "religious_sentiment", "misinformation",
              "anti_government", "political", "defamation", "national_unity", "self_promotion",
              "personal_on_official", "excessive_tagging")
ADMIN_ROWS = 6
MAX_ADMINS = 20
#: What to say next to an account field the service refused, by the field's kind.
KIND_ERRORS = {
    "url": N_("Give an address starting with https:// or http://."),
    "date": N_("Give a date like 2026-11-23."),
}
CHECK_FIELD = N_("Check this field.")


# --- official accounts ------------------------------------------------------------------------

def _managed_institutions(web: Web, action: str) -> list[Institution]:
    return [i for i in directory.list_institutions(web.session, web.user)
            if can(web.session, web.user, action, i.id)]


@router.get("/accounts", response_class=HTMLResponse)
def accounts_list(request: Request) -> Response:
    with web_unit(request) as web:
        rows = []
        for account in accounts.list_accounts(web.session, web.user):
            items = accounts.checklist(account, web.svc.screening)
            rows.append((account, {s: sum(i.status == s for i in items) for s in ("met", "not_met", "unknown")}))
        return web.render("accounts.html", rows=rows,
                          can_create=bool(_managed_institutions(web, "manage_accounts")))


@router.get("/accounts/{account_id:int}", response_class=HTMLResponse)
def account_page(account_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        account = accounts.get_account(web.session, web.user, account_id)
        return web.render("account.html", account=account, time_zone=account.institution.timezone,
                          checklist=accounts.checklist(account, web.svc.screening),
                          can_edit=can(web.session, web.user, "manage_accounts", account.institution_id))


def _account_values(account: Account | None) -> dict[str, Any]:
    if account is None:  # the yes/no questions start as "not yet checked", not as "no"
        return {"platform": "facebook", "admins": [], **{n: None for n, k in ACCOUNT_FIELDS.items() if k == "bool"}}
    values: dict[str, Any] = {name: getattr(account, name) for name in ACCOUNT_FIELDS}
    values["password_rotated_on"] = account.password_rotated_on.isoformat() if account.password_rotated_on else ""
    values["admins"] = [{"name": a.name, "designation": a.designation} for a in account.admins]
    values["institution_id"] = account.institution_id
    return values


def _form_account(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data for the service, values to show again): booleans from yes/no/unknown selects,
    and the admin team from numbered name/designation rows, blank rows left out."""
    data: dict[str, Any] = {}
    for name, kind in ACCOUNT_FIELDS.items():
        if kind == "bool":
            data[name] = tri_bool(form.get(name))
        elif kind == "date":
            data[name] = text(form, name, limit=40).strip() or None
        else:
            data[name] = text(form, name, limit=5000)
    admins = []
    for i in range(MAX_ADMINS):
        name, designation = text(form, f"admin_name_{i}", limit=200), text(form, f"admin_designation_{i}", limit=200)
        if name.strip() or designation.strip():
            admins.append({"name": name, "designation": designation})
    values = dict(data, admins=admins, institution_id=form.get("institution_id"))
    if any(not a["name"].strip() for a in admins):
        raise InvalidInput("each admin needs a name", field="admins", values=values)
    data["admins"] = admins
    return data, values


def _field_errors(web: Web, exc: ServiceError) -> dict[str, str]:
    """Which field a service message is about: it names the field first (``url must be ...``) or last."""
    words = exc.message.replace("'", " ").split()
    field = exc.details.get("field")
    if not isinstance(field, str):
        field = next((w for w in (words[:1] + words[-1:]) if w in ACCOUNT_FIELDS or w == "institution"), "")
    if not field:
        return {}
    kind = ACCOUNT_FIELDS.get(field, "")
    msg = KIND_ERRORS.get(kind, CHECK_FIELD)
    if field == "admins":
        msg = N_("Each admin needs a name.")
    return {"institution_id" if field == "institution" else field: web.gettext(msg)}


def _account_form(web: Web, *, account: Account | None, values: dict[str, Any], status: int = 200,
                  errors: dict[str, str] | None = None, messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    admins = list(values.get("admins") or [])
    rows = min(MAX_ADMINS, max(ADMIN_ROWS, len(admins) + 2))
    admins += [{"name": "", "designation": ""}] * (rows - len(admins))
    return web.render(
        "account_edit.html", status=status, messages=messages or [], account=account, values=values,
        admin_rows=admins, errors=errors or {}, platforms=PLATFORMS,
        institutions=_managed_institutions(web, "manage_accounts") if account is None else [],
        request_path="/accounts/new" if account is None else f"/accounts/{account.id}/edit",
    )


@router.get("/accounts/new", response_class=HTMLResponse)
def new_account(request: Request) -> Response:
    with web_unit(request) as web:
        if not _managed_institutions(web, "manage_accounts"):
            raise Forbidden("adding an account needs the role moderator or admin in an institution")
        return _account_form(web, account=None, values=_account_values(None))


@router.get("/accounts/{account_id:int}/edit", response_class=HTMLResponse)
def edit_account_page(account_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        account = accounts.get_account(web.session, web.user, account_id)
        if not can(web.session, web.user, "manage_accounts", account.institution_id):
            raise Forbidden("editing an account needs the role moderator or admin in its institution")
        return _account_form(web, account=account, values=_account_values(account))


def _save_account(request: Request, form: FormData, account_id: int | None) -> Response:
    values: dict[str, Any] = {}
    checked = False
    try:
        with web_unit(request, form) as web:
            checked = True
            data, values = _form_account(form)
            if account_id is None:
                institution_id = opt_int(form.get("institution_id"), "institution")
                if institution_id is None:
                    raise InvalidInput("choose an institution", field="institution_id")
                account = accounts.create_account(web.session, web.user, institution_id, data)
                return redirect(f"/accounts/{account.id}", ("success", "account_created", ""))
            account = accounts.get_account(web.session, web.user, account_id)
            changed = accounts.update_account(web.session, web.user, account, data)
            return redirect(f"/accounts/{account.id}", ("success", "account_saved" if changed else "no_change", ""))
    except ServiceError as exc:
        if not checked or isinstance(exc, (NotAuthenticated, NotFound)):
            raise
        failure = exc
    with web_unit(request, form) as web:
        existing = None if account_id is None else accounts.get_account(web.session, web.user, account_id)
        shown = values or failure.details.get("values")
        if not isinstance(shown, dict):
            shown = _account_values(existing)
        return _account_form(web, account=existing, values=shown, status=failure.status,
                             errors=_field_errors(web, failure),
                             messages=[("error", message(web.locale, error_key(failure), failure.message))])


@router.post("/accounts/new", response_class=HTMLResponse)
def create_account(request: Request, form: Form) -> Response:
    return _save_account(request, form, None)


@router.post("/accounts/{account_id:int}/edit", response_class=HTMLResponse)
def edit_account(account_id: int, request: Request, form: Form) -> Response:
    return _save_account(request, form, account_id)


# --- the archive ------------------------------------------------------------------------------

ARCHIVE_FIELDS = ("q", "institution_id", "account_id", "date_from", "date_to", "category", "verdict", "state",
                  "kind")
PER_PAGE = 20


def _archive_query(params: dict[str, str], page: int, tz: dt.tzinfo = dt.UTC) -> tuple[ArchiveQuery, dict[str, str]]:
    """The query, and an error per field that could not be read (those filters are left out).
    The dates are days in ``tz`` (the user's institution's zone)."""
    errors: dict[str, str] = {}

    def read(name: str, parse: Any) -> Any:
        try:
            return parse(params.get(name), name)
        except InvalidInput:
            errors[name] = N_("Give a date like 2026-11-23.") if "date" in name else CHECK_FIELD
            return None

    q = params.get("q", "")
    if len(q) > 500:
        errors["q"] = N_("Search with fewer words.")
        q = ""
    category = params.get("category") or None
    verdict = params.get("verdict") or None
    state = params.get("state") or None
    aq = ArchiveQuery(
        q=q, institution_id=read("institution_id", opt_int), account_id=read("account_id", opt_int),
        date_from=read("date_from", opt_date), date_to=read("date_to", opt_date),
        category=category if category in CATEGORIES else None,
        verdict=verdict if verdict in ("clear", "review", "block") else None,
        state=state if state in ARCHIVED_STATES else None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, tz=tz,
        kind="imported" if params.get("kind") == "imported" else "post",
    )
    return aq, errors


@router.get("/archive", response_class=HTMLResponse)
def archive_page(request: Request) -> Response:
    params = {k: request.query_params.get(k, "").strip() for k in ARCHIVE_FIELDS}
    page = opt_int(request.query_params.get("page"), "page", low=1, high=100_000) or 1
    with web_unit(request) as web:
        aq, errors = _archive_query(params, page, zone(web.time_zone))
        messages: list[tuple[str, Any]] = []
        total = 0
        posts: list[Post] = []
        imported: list[Any] = []
        try:
            if aq.kind == "imported":
                total, imported = search_imported(web.session, web.user, aq)
            else:
                total, posts = search(web.session, web.user, aq)
        except InvalidInput as exc:
            errors["q"] = N_("Search with fewer words.")
            messages.append(("error", message(web.locale, "invalid", exc.message)))
        shown = {k: v for k, v in params.items() if v}
        export = {k: v for k, v in shown.items() if k not in errors}
        return web.render(
            "archive.html", status=422 if errors else 200, messages=messages, params=params,
            errors={k: web.gettext(v) for k, v in errors.items()}, total=total,
            results=[(p, archive_record(p)) for p in posts], imported=imported, kind=aq.kind,
            page=page, pages=max(1, -(-total // PER_PAGE)),
            page_url=lambda n: "/archive?" + urlencode({**shown, "page": n}),
            export_url=lambda fmt: "/api/v1/archive?" + urlencode({**export, "format": fmt, "limit": 1000}),
            institutions=directory.list_institutions(web.session, web.user),
            accounts=accounts.list_accounts(web.session, web.user), categories=CATEGORIES,
            states=ARCHIVED_STATES, searched=bool(shown),
        )


# --- the audit trail --------------------------------------------------------------------------

AUDIT_PAGE = 50


#: What the audit page says for each filter that could not be read.
AUDIT_FILTER_ERRORS = {
    "actor": N_("A username is at most 80 characters."),
    "action": N_("Choose an action from the list."),
    "post": N_("Enter a post number."),
    "from": N_("Enter a date like 2026-12-06."),
    "to": N_("Enter a date like 2026-12-06, not before the first date."),
}


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    before = opt_int(request.query_params.get("before"), "before", low=1)
    errors: dict[str, str] = {}
    try:
        flt = parse_filter(request.query_params)
    except InvalidInput as exc:
        flt = AuditFilter()
        field = str(exc.details.get("field", "actor"))
        errors[field] = AUDIT_FILTER_ERRORS.get(field, AUDIT_FILTER_ERRORS["actor"])
    with web_unit(request) as web:
        flt = dataclasses.replace(flt, tz=zone(web.time_zone))  # the dates are days in the user's zone
        events = audit_events(web.session, web.user, None, AUDIT_PAGE + 1, before, flt)
        verified: dict[str, Any] | None = None
        if web.user.is_superuser and request.query_params.get("verify") == "1":
            count, problems = verify_chain(web.session)
            verified = {"count": count, "problems": problems}
        names = {i.id: i.short_name or i.name for i in directory.list_institutions(web.session, web.user)}
        args = flt.query_args()
        return web.render("audit.html", status=422 if errors else 200, events=events[:AUDIT_PAGE],
                          older=events[AUDIT_PAGE - 1].id if len(events) > AUDIT_PAGE else None,
                          verified=verified, institution_names=names, before=before,
                          params={k: request.query_params.get(k, "") for k in AUDIT_FILTER_ERRORS},
                          errors={k: web.gettext(v) for k, v in errors.items()}, filtered=bool(args),
                          filter_query=urlencode(args), actions=ACTION_LABELS, describe=describe,
                          export_url="/api/v1/audit/export" + ("?" + urlencode(args) if args else ""))


# --- settings ---------------------------------------------------------------------------------

def _settings_page(web: Web, *, new_token: str = "", status: int = 200, errors: dict[str, str] | None = None,
                   inst_values: dict[int, dict[str, Any]] | None = None,
                   messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    tokens = list(web.session.scalars(select(ApiToken).where(ApiToken.user_id == web.user.id)
                                      .order_by(ApiToken.id.desc())))
    managed = _managed_institutions(web, "manage_institution")
    memberships = sorted(((m.institution, m.role) for m in web.user.memberships), key=lambda x: (x[0].id, x[1]))
    users = directory.list_users(web.session, web.user) if managed or web.user.is_superuser else []
    return web.render(
        "settings.html", status=status, messages=messages or [], request_path="/settings", tokens=tokens,
        new_token=new_token, managed=[(i, directory.members(web.session, i.id)) for i in managed],
        memberships=memberships, roles=ROLES, errors=errors or {}, inst_values=inst_values or {},
        settings_ranges=SETTINGS_FIELDS, users=[u for u in users if u.id != web.user.id],
        suggested_zones=SUGGESTED_ZONES, **_two_step_context(web),
    )


# --- two-step sign-in (totp.py) -----------------------------------------------------------------
# Open to an administrator who must still set it up (SATARK_REQUIRE_TOTP_FOR_ADMINS); every other
# page sends them here (render.WebRoute).

def _two_step_context(web: Web, recovery_codes: list[str] | None = None) -> dict[str, Any]:
    return {"two_step": totp.status(web.session, web.svc.settings, web.user),
            "enrolment": totp.pending_enrolment(web.user), "recovery_codes": recovery_codes or []}


def _two_step_page(web: Web, *, status: int = 200, recovery_codes: list[str] | None = None,
                   errors: dict[str, str] | None = None, messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    return web.render("two_step.html", status=status, messages=messages or [], errors=errors or {},
                      request_path=TWO_STEP_PAGE, **_two_step_context(web, recovery_codes))


@router.get(TWO_STEP_PAGE, response_class=HTMLResponse)
def two_step_page(request: Request) -> Response:
    with web_unit(request, allow_unenrolled=True) as web:
        return _two_step_page(web)


@router.post(TWO_STEP_PAGE + "/begin")
def two_step_begin(request: Request, form: Form) -> Response:
    """A new key, shown on the page until it is confirmed (a GET after this redirect)."""
    with web_unit(request, form, allow_unenrolled=True) as web:
        totp.begin(web.session, web.user)
        return redirect(TWO_STEP_PAGE)


@router.post(TWO_STEP_PAGE + "/confirm", response_class=HTMLResponse)
def two_step_confirm(request: Request, form: Form) -> Response:
    """The recovery codes are shown in this response only: they are never stored in clear."""
    code = text(form, "code", limit=40)
    with web_unit(request, form, allow_unenrolled=True) as web:
        try:
            codes = totp.confirm(web.session, web.user, code)
        except InvalidInput as exc:
            return _two_step_page(web, status=exc.status, errors={"two_step_code": web.gettext(
                N_("The code is wrong or has expired. Enter the code that the app shows now."))},
                messages=[("error", message(web.locale, "invalid", exc.message))])
        return _two_step_page(web, recovery_codes=codes)


@router.post(TWO_STEP_PAGE + "/disable", response_class=HTMLResponse)
def two_step_disable(request: Request, form: Form) -> Response:
    code, password = text(form, "code", limit=40).strip(), text(form, "password", limit=200)
    checked = None
    if not code and password:  # verified (argon2) before the write unit
        with web_unit(request, form, write=False) as web:
            security.check_throttle(web.session, web.svc.settings, web.user.username, client_of(request))
            checked = security.verify_current(web.user, password)
    with web_unit(request, form) as web:
        try:
            totp.disable(web.session, web.svc.settings, web.user, client=client_of(request),
                         code=code or None, password=checked)
        except (InvalidInput, Forbidden) as exc:
            if not exc.details.get("field") and isinstance(exc, Forbidden):
                raise  # required for the role: the error page says so
            # The failed attempt is kept (it counts for the login throttles): this unit commits.
            return _two_step_page(web, status=exc.status, errors={"two_step_off": web.gettext(
                N_("Give a current code from the app, or your password."))},
                messages=[("error", message(web.locale, error_key(exc), exc.message))])
        return redirect("/settings", ("success", "two_step_disabled", ""))


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request) -> Response:
    with web_unit(request) as web:
        return _settings_page(web)


@router.post("/settings/language")
def save_language(request: Request, form: Form) -> Response:
    lang = form.get("ui_lang")
    with web_unit(request, form) as web:
        if lang not in LOCALES:
            raise InvalidInput(f"choose one of {', '.join(LOCALES)}")
        web.user.ui_lang = str(lang)
        response = redirect("/settings", ("success", "lang_saved", ""))
        # The cookie wins over the saved language, so it must say the same.
        response.set_cookie(LANG_COOKIE, str(lang), max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                            secure=cookie_secure(request, web.svc), path="/")
        return response


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(request: Request, form: Form) -> Response:
    """The token is shown in this response only: it is never stored, so there is no page to redirect to."""
    with web_unit(request, form) as web:
        name = text(form, "name", limit=200)
        try:
            value, _row = security.create_token(web.session, web.user, name)
        except InvalidInput as exc:
            return _settings_page(web, status=422, errors={"token_name": web.gettext(N_("Name the token."))},
                                  messages=[("error", message(web.locale, "invalid", exc.message))])
        return _settings_page(web, new_token=value)


@router.post("/settings/tokens/{token_id:int}/revoke")
def revoke_token(token_id: int, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        security.revoke_token(web.session, web.user, token_id)
        return redirect("/settings", ("success", "token_revoked", ""))


def _institution(web: Web, institution_id: int) -> Institution:
    inst = directory.get_institution(web.session, web.user, institution_id)
    if not can(web.session, web.user, "manage_institution", inst.id):
        raise Forbidden("this needs the role admin in the institution")
    return inst


#: The institution's text settings on the settings page (the others are changed through the API).
INSTITUTION_TEXTS = ("local_name", "timezone")
#: What to say next to each of them when the service refuses it.
INSTITUTION_TEXT_ERRORS = {
    "local_name": N_("At most 200 characters."),
    "timezone": N_("Give a time zone name like Asia/Kolkata or Asia/Dhaka."),
}


@router.post("/settings/institutions/{institution_id:int}", response_class=HTMLResponse)
def save_institution(institution_id: int, request: Request, form: Form) -> Response:
    raw = {name: str(form.get(name) or "") for name in (*SETTINGS_FIELDS, *INSTITUTION_TEXTS)}
    with web_unit(request, form) as web:
        inst = _institution(web, institution_id)
        errors: dict[str, str] = {}
        data: dict[str, Any] = {}
        for name, (low, high) in SETTINGS_FIELDS.items():
            try:
                value = opt_int(raw[name], name, low=low, high=high)
            except InvalidInput:
                errors[f"{inst.id}.{name}"] = web.gettext(N_("Give a whole number in the range shown."))
                continue
            if value is not None:
                data[name] = value
        # Checked here, before anything changes: a refusal from the service would come after
        # the numbers were set, in a unit of work that this page then commits.
        details: list[str] = []
        for name in INSTITUTION_TEXTS:
            if name not in form:
                continue
            try:
                typed = raw[name].strip()
                data[name] = check_timezone(typed) if name == "timezone" else bounded_text(typed, name,
                                                                                          TEXT_SETTINGS[name])
            except InvalidInput as exc:
                errors[f"{inst.id}.{name}"] = web.gettext(INSTITUTION_TEXT_ERRORS[name])
                details.append(exc.message)
        if errors:
            shown = [("error", message(web.locale, "invalid", detail)) for detail in details]
            return _settings_page(web, status=422, errors=errors, inst_values={inst.id: raw},
                                  messages=shown or [("error", message(web.locale, "invalid"))])
        changed = directory.update_institution(web.session, web.user, inst, data)
        return redirect("/settings", ("success", "institution_saved" if changed else "no_change", ""))


PASSWORD_HELP = N_("At least 12 characters, not a commonly used password, not containing the username.")


@router.post("/settings/institutions/{institution_id:int}/members", response_class=HTMLResponse)
def add_member(institution_id: int, request: Request, form: Form) -> Response:
    """Give an existing user a role; with a display name and a first password, create the user."""
    username, role = text(form, "username", limit=80), str(form.get("role") or "")
    display_name, password = text(form, "display_name", limit=200), text(form, "password", limit=200)
    checked = False
    new_role = role if role in ROLES else "invalid"
    try:
        new_password = None
        if password:  # refused, or checked and hashed (argon2) before the write unit
            with web_unit(request, form, write=False) as web:
                checked = True
                name = directory.check_new_user(web.session, web.user, username=username,
                                                institution_id=_institution(web, institution_id).id, role=new_role)
            new_password = security.new_password(password, username=name)
        with web_unit(request, form) as web:
            checked = True
            inst = _institution(web, institution_id)
            if new_password is not None:
                directory.create_user(web.session, web.user, username=username, display_name=display_name,
                                      password=new_password, institution_id=inst.id, role=new_role)
                return redirect("/settings", ("success", "user_created", ""))
            directory.add_member(web.session, web.user, inst.id, username, role)
            return redirect("/settings", ("success", "member_added", ""))
    except ServiceError as exc:
        unknown_user = isinstance(exc, NotFound) and exc.message.startswith("no user")
        if not checked or isinstance(exc, NotAuthenticated) or (isinstance(exc, NotFound) and not unknown_user):
            raise
        failure = exc
    with web_unit(request, form) as web:
        key, detail = error_key(failure), failure.message
        if failure.details.get("reason") == "self_grant":
            key, detail = "self_grant", ""
        field, msg = "role", CHECK_FIELD
        if isinstance(failure, NotFound):
            field, msg = "username", N_("No user with this username. To add someone new, also give a name and a "
                                        "first password.")
        elif failure.details.get("field") == "password":
            field, msg = "password", PASSWORD_HELP
        elif failure.details.get("field") == "username":
            field, msg = "username", N_("This username cannot be used; choose another.")
        return _settings_page(web, status=failure.status, errors={f"{institution_id}.member_{field}": web.gettext(msg)},
                              inst_values={institution_id: {"username": username, "role": role,
                                                            "display_name": display_name}},
                              messages=[("error", message(web.locale, key, detail))])


def _web_session(web: Web, form: FormData) -> WebSession | None:
    token = form.get("csrf_token")
    auth = web.svc.authenticate(web.session, web.request, csrf_form_value=token if isinstance(token, str) else None)
    return auth.web_session if auth is not None else None


@router.post("/settings/password", response_class=HTMLResponse)
def change_password(request: Request, form: Form) -> Response:
    current, new = text(form, "current_password", limit=200), text(form, "new_password", limit=200)
    with web_unit(request, form, write=False) as web:  # argon2 (twice) before the write unit
        try:
            change = directory.prepare_password_change(web.user, current=current, new=new)
        except (InvalidInput, Forbidden) as exc:
            return _password_refused(web, exc)
    with web_unit(request, form) as web:
        try:
            directory.change_own_password(web.session, web.user, change, keep=_web_session(web, form))
        except (InvalidInput, Forbidden) as exc:
            return _password_refused(web, exc)
        return redirect("/settings", ("success", "password_changed", ""))


def _password_refused(web: Web, exc: InvalidInput | Forbidden) -> Response:
    field = "current_password" if exc.details.get("field") == "current_password" else "new_password"
    msg = N_("The current password is wrong.") if field == "current_password" else PASSWORD_HELP
    return _settings_page(web, status=exc.status, errors={field: web.gettext(msg)},
                          messages=[("error", message(web.locale, error_key(exc), exc.message))])


@router.post("/settings/logout-everywhere")
def logout_everywhere(request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        directory.logout_everywhere(web.session, web.user, web.user, keep=_web_session(web, form))
        return redirect("/settings", ("success", "logged_out_everywhere", ""))


def _user(web: Web, user_id: int) -> User:
    target = directory.get_user(web.session, web.user, user_id)
    if target.id == web.user.id:
        raise Forbidden("use your own settings for yourself")
    return target


@router.post("/settings/users/{user_id:int}/{what}", response_class=HTMLResponse)
def manage_user(user_id: int, what: str, request: Request, form: Form) -> Response:
    """Deactivate, reactivate, reset the password or the two-step sign-in of, or log out
    everywhere a user one administers."""
    if what not in ("deactivate", "activate", "password", "logout", "two-step-reset"):
        raise NotFound(f"no action {what!r}")
    if what == "password":  # checked and hashed (argon2) before the write unit
        with web_unit(request, form, write=False) as web:
            target = _user(web, user_id)
            try:
                new_password = security.new_password(text(form, "password", limit=200), username=target.username)
            except InvalidInput as exc:
                return _settings_page(web, status=exc.status, errors={f"user{target.id}.password":
                                                                      web.gettext(PASSWORD_HELP)},
                                      messages=[("error", message(web.locale, "invalid", exc.message))])
        with web_unit(request, form) as web:
            directory.reset_password(web.session, web.user, _user(web, user_id), new_password)
            return redirect("/settings", ("success", "password_reset", ""))
    with web_unit(request, form) as web:
        target = _user(web, user_id)
        if what == "two-step-reset":
            totp.reset(web.session, web.user, target)
            return redirect("/settings", ("success", "two_step_reset", ""))
        if what == "logout":
            directory.logout_everywhere(web.session, web.user, target)
            return redirect("/settings", ("success", "user_logged_out", ""))
        directory.set_active(web.session, web.user, target, what == "activate")
        return redirect("/settings", ("success", "user_activated" if what == "activate" else "user_deactivated", ""))


@router.post("/settings/institutions/{institution_id:int}/members/remove")
def remove_member(institution_id: int, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        inst = _institution(web, institution_id)
        user_id = opt_int(form.get("user_id"), "user_id")
        if user_id is None:
            raise InvalidInput("say which member to remove")
        directory.remove_member(web.session, web.user, inst.id, user_id, str(form.get("role") or ""))
        return redirect("/settings", ("success", "member_removed", ""))

