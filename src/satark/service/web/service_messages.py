"""The service's error messages in the page's language.

The domain modules raise :class:`~satark.service.errors.ServiceError` with an English message,
which is also what the API answers. The web UI shows it translated: every message a page can
show is listed below as a template with ``%(name)s`` placeholders (marked with :func:`N_`, so
``pybabel extract`` finds them and the catalogues translate them). A message is matched
against the templates; the translated template is filled with the parts the placeholders
matched, each translated too when it is a known term (a field, a role, a state, or a list of
them). A message nobody listed stays English, and the page marks it ``lang="en"``.

Matching the text rather than adding codes to every ``raise`` keeps the API's messages, the
domain modules and the web's translations independent. ``tests/service/test_i18n.py`` reads
every ``raise`` of the service and the web and checks that its message matches a template here,
so a message that is added or reworded without its template (and translations) fails there.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ..i18n import N_, translations

__all__ = ["SERVICE_MESSAGES", "TERMS", "translate_message"]

#: Every service message a page may show, as a template (the English text is the msgid).
SERVICE_MESSAGES: tuple[str, ...] = (
    # workflow
    N_("cannot %(action)s a post that is %(state)s; allowed from: %(states)s"),
    N_("the post text is empty"),
    N_("the comment to the author must be written out (at least %(count)s characters)"),
    N_("a correction's note (what was wrong) must be written out (at least %(count)s characters)"),
    N_("the retraction reason must be written out (at least %(count)s characters)"),
    N_("approving a post whose verdict is 'block' needs an override reason, which must be written out "
       "(at least %(count)s characters)"),
    N_("unknown state %(state)s; known: %(states)s"),
    N_("unknown state %(state)s"),
    N_("the screening says this post must not be published (verdict 'block'); read the findings, then confirm "
       "to submit it anyway"),
    N_("nobody may approve or decide on a retraction they asked for; another approver must do it"),
    N_("nobody may approve or decide on a revision they wrote or edited; another approver must do it"),
    N_("nothing awaits approval on a post that is %(state)s"),
    N_("you have already approved this revision; another approver must approve the next tier"),
    N_("the approval expired before publication; the post needs approving again"),
    N_("the published URL must be an http(s) address of at most 500 characters"),
    N_("the publication time needs a time zone (e.g. 2026-11-23T10:00:00Z)"),
    N_("a correction of this post awaits approval; it must be approved or refused first"),
    N_("a retraction of this post awaits approval; it must be approved or refused first"),
    N_("this post cannot be edited now (only drafts and posts sent back for changes)"),
    # not found, not allowed
    N_("no post %(id)s"),
    N_("no account %(id)s"),
    N_("no institution %(id)s"),
    N_("no user %(id)s"),
    N_("no token %(id)s"),
    N_("no saved check %(id)s"),
    N_("no notification %(id)s"),
    # notifications (issue 12)
    N_("give an e-mail address like name@example.gov"),
    N_("give an e-mail address to receive notifications by e-mail"),
    N_("no such %(what)s"),
    N_("no such membership"),
    N_("no such object"),
    N_("no action %(action)s"),
    N_("this needs the role %(roles)s in the institution"),
    N_("adding an account needs the role moderator or admin in an institution"),
    N_("editing an account needs the role moderator or admin in its institution"),
    N_("listing users needs the role admin in an institution"),
    N_("reading the audit trail needs the role monitor, approver or admin"),
    N_("missing or wrong CSRF token; reload the page and try again"),
    # form fields (web/forms.py, accounts, directory, models)
    N_("%(field)s is longer than %(count)s characters"),
    N_("%(field)s must be from %(low)s to %(high)s"),
    N_("%(field)s must be a whole number"),
    N_("%(field)s must be a whole number from %(low)s to %(high)s"),
    N_("%(field)s must be a date like 2026-11-23"),
    N_("%(field)s must be a date like 2026-12-06"),
    N_("%(field)s must be a date and time like 2026-11-23T10:00"),
    N_("%(field)s must be true, false or null"),
    N_("%(field)s must be text"),
    N_("%(field)s must be an http(s) address"),
    N_("%(field)s is %(length)s characters long; at most %(count)s are kept"),
    N_("%(field)s contains a character that cannot be stored (NUL or an unpaired surrogate)"),
    N_("%(field)s must be an IANA time zone name like Asia/Kolkata or Asia/Dhaka"),
    N_("platform must be one of %(platforms)s"),
    N_("unknown account field %(field)s"),
    N_("admins must be a list of at most 20 people"),
    N_("each admin needs a name"),
    N_("an account needs a %(field)s"),
    N_("choose an account"),
    N_("choose an institution"),
    N_("choose one of %(choices)s"),
    N_("website_url must be an http:// or https:// address, like https://dhaka.gov.bd"),
    # users, passwords, tokens
    N_("give the institution and the role together"),
    N_("role must be one of %(roles)s"),
    N_("only a site administrator may create site administrators"),
    N_("say in which of your institutions the new user gets a role"),
    N_("a username is 2-80 lowercase letters, digits, '.', '_' or '-'"),
    N_("user %(name)s exists already"),
    N_("this username cannot be used; choose another"),
    N_("nobody may deactivate or reactivate themselves; another administrator must do it"),
    N_("nobody may reset the password of (change your own with your current password) themselves; another "
       "administrator must do it"),
    N_("nobody may grant a role to themselves; another administrator must do it"),
    N_("no user with this username among the users you administer"),
    N_("use your own settings for yourself"),
    N_("say which member to remove"),
    N_("the current password is wrong"),
    N_("the new password must differ from the current one"),
    N_("the password contains a character that cannot be used (NUL or an unpaired surrogate)"),
    N_("the password must be at least %(count)s characters long"),
    N_("the password must be at most %(count)s characters long"),
    N_("the password must not contain the username"),
    N_("the password is too repetitive"),
    N_("the password is on the list of commonly used passwords; choose another"),
    N_("the username or password contains a character that cannot be used"),
    N_("a password is at most %(count)s characters long"),
    N_("too many failed logins; wait a few minutes and try again"),
    N_("a token needs a name of 1-100 characters"),
    # two-step sign-in (totp.py, security.py, context.py)
    N_("this account uses two-step sign-in: give the 6-digit code from the authenticator app, or a recovery code"),
    N_("the two-step sign-in code is wrong, expired or already used"),
    N_("two-step sign-in is required for your role: set it up first (on the web: Settings; in the API: "
       "POST /api/v1/me/totp, then POST /api/v1/me/totp/confirm)"),
    N_("two-step sign-in is already on; turn it off first to set it up again"),
    N_("two-step sign-in is already on"),
    N_("set up two-step sign-in first, then confirm it with a code from the app"),
    N_("the code is wrong or has expired; enter the current code from the app"),
    N_("two-step sign-in is not on"),
    N_("two-step sign-in is required for your role; it cannot be turned off"),
    N_("give either a current code from the app or your password"),
    N_("the code or password is wrong"),
    N_("nobody may reset their own two-step sign-in; another administrator must do it"),
    N_("two-step sign-in is not set up for this user"),
    # institutions
    N_("an institution needs a name of 1-200 characters"),
    N_("an institution needs a name"),
    N_("kind must be one of %(kinds)s"),
    N_("only a site administrator may add a top-level institution"),
    N_("unknown setting(s): %(names)s"),
    # archive, audit, screening
    N_("search with at most 10 words"),
    N_("the archive holds only %(states)s posts"),
    N_("verdict must be clear, review or block"),
    N_("unknown category"),
    N_("actor is a username of at most 80 characters"),
    N_("unknown action %(action)s"),
    N_("post must be a post number"),
    N_("the date range ends before it starts"),
    N_("no policy pack for %(name)s; known: %(names)s"),
    N_("the post is empty"),
    N_("the post is %(length)s characters long; the limit is %(count)s"),
    N_("the post contains invalid characters (unpaired surrogates)"),
    N_("account_type must be official or personal"),
    # awareness training (training.py, api/training.py, web/training.py)
    N_("no such training pack"),
    N_("no such quiz attempt"),
    N_("there is no quiz for this pack yet: it has no reviewed examples"),
    N_("this quiz is already submitted; start a new one to try again"),
    N_("there is no question %(number)s in this quiz"),
    N_("the answer to question %(number)s is not one of its options"),
    N_("question %(number)s is answered twice"),
    N_("choose an answer for at least one question"),
    # the violation register (violations.py, evidence.py, web/violations.py)
    N_("no violation case %(id)s"),
    N_("nobody may act on a violation case about themselves"),
    N_("recording violations needs the role monitor or admin in the institution"),
    N_("the link must be an http(s) address of at most 500 characters"),
    N_("post %(id)s has no revision %(number)s"),
    N_("say who the employee is: a Satark user, or a name and designation"),
    N_("give either a Satark user or a name for the employee, not both"),
    N_("the employee must be a member of the case's institution"),
    N_("a designation needs the employee's name"),
    N_("the post's screening cites no clause; choose the clauses that were broken"),
    N_("choose at least one clause that was broken"),
    N_("choose at most %(count)s clauses"),
    N_("no clause %(clause)s in the policy pack %(pack)s"),
    N_("clause %(clause)s only explains; choose a clause that can be broken"),
    N_("the post belongs to another institution than the one given"),
    N_("give either a Satark post or pasted text, not both"),
    N_("give the post: a Satark post number, or the text as it was posted"),
    N_("a revision is given only with a Satark post"),
    N_("the incident cannot have happened after today"),
    N_("no step %(id)s in this case"),
    N_("no file %(id)s in this case"),
    N_("cannot %(action)s: the case is %(state)s; allowed when it is %(states)s"),
    N_("a step's date cannot be after today"),
    N_("a step's date cannot be before the previous step's (%(date)s)"),
    N_("give either a number of days or a due date, not both"),
    N_("the due date cannot be before the step's date"),
    N_("the number of days must be from 1 to %(count)s"),
    N_("the outcome must be one of %(outcomes)s"),
    N_("the decision's reasons must be written out (at least %(count)s characters)"),
    N_("a referral names the competent authority it goes to"),
    N_("only a referral names a competent authority"),
    N_("a warning or a referral needs a show-cause notice first, so that the employee is heard; only no_action "
       "may be decided without one"),
    N_("the reply to the show-cause notice is due by %(date)s; record the explanation, or decide after the "
       "deadline has passed"),
    N_("lang must be one of %(langs)s"),
    N_("the uploaded file needs a name ending in .png, .jpg, .jpeg, .pdf or .txt"),
    N_("the uploaded file is empty"),
    N_("the uploaded file is %(size)s bytes; the limit is %(count)s"),
    # audits of uploaded platform exports (scans.py, web/scans.py; issue 13)
    N_("no scan %(id)s"),
    N_("no item %(id)s in this scan"),
    N_("the uploaded export needs a file name"),
    N_("an importer's name is 1-40 lowercase letters, digits, - and _"),
    N_("a scan that is %(state)s cannot be cancelled"),
    N_("no importer named %(name)s; known: %(names)s"),
    N_("only PNG or JPEG images, PDF documents and plain UTF-8 text may be uploaded"),
    N_("the file's name ends in %(ext)s but its content is %(type)s; name it %(names)s"),
    N_("no such file"),
    N_("the evidence file is missing from the data directory"),
    N_("the evidence file on disk no longer matches its recorded SHA-256; it was altered"),
    N_("choose a file to upload"),
    # the citizen comments inbox and GRS referrals (inbox.py, grs.py, worktime.py, comment_import.py)
    N_("a target's unit is one of %(units)s"),
    N_("a target in %(unit)s is between 1 and %(count)s"),
    N_("%(day)s is already a holiday of this institution"),
    N_("no holiday %(id)s"),
    N_("the text is empty"),
    N_("the text is longer than %(count)s characters"),
    N_("a link must be an http(s) address of at most 500 characters"),
    N_("the time needs a time zone (e.g. 2026-11-23T10:00:00Z)"),
    N_("unknown kind %(kind)s; known: %(kinds)s"),
    N_("the time received is in the future"),
    N_("no comment %(id)s"),
    N_("unknown tag %(tag)s; known: %(tags)s"),
    N_("this comment is already closed"),
    N_("say why the comment is closed (at least 3 characters)"),
    N_("only a closed comment can be reopened"),
    N_("no reply %(id)s"),
    N_("no template %(id)s"),
    N_("only the author of a reply may change or submit it"),
    N_("a reply that is %(state)s cannot be changed"),
    N_("a reply that is %(state)s cannot be submitted"),
    N_("the screening says this reply must not be sent (verdict 'block'); read the findings, then "
       "confirm to submit it anyway"),
    N_("nobody may approve or decide on a reply they wrote; another approver must do it"),
    N_("a reply that is %(state)s awaits no decision"),
    N_("approving a reply whose verdict is 'block' needs an override reason, which must be written out "
       "(at least %(count)s characters)"),
    N_("this reply was already marked sent"),
    N_("this reply needs an approver's approval before it is sent"),
    N_("the time sent is in the future"),
    N_("the time sent is before the comment was received"),
    N_("a template's name is 1 to 100 characters"),
    N_("a template's language is one of %(langs)s"),
    N_("the institution already has a template of that name in that language"),
    N_("the GRS reminder is given 0 to 60 working days before the deadline"),
    N_("comments can be assigned only to a moderator or admin of the institution"),
    N_("a comment cannot be a duplicate of itself"),
    N_("no referral %(id)s"),
    N_("the institution's policy pack names no grievance redress system"),
    N_("this comment has already been referred"),
    N_("refer the original comment, not its duplicate"),
    N_("a referral's language is one of %(langs)s"),
    N_("the time given is in the future"),
    N_("a tracking number is 1 to 100 letters, digits and / _ . -"),
    N_("nothing to record: give a note or a tracking number"),
    N_("cannot %(action)s a referral that is %(state)s; allowed from: %(states)s"),
    N_("lodging a referral needs the tracking number the grievance system gave"),
    N_("the grievance system of this pack has no appeal stage"),
    N_("the weekend is a list of ISO weekday numbers (1 = Monday ... 7 = Sunday), like 5,6"),
    N_("the calendar has no working days left"),
    N_("say the upload's format (csv or jsonl), or name the file .csv or .jsonl"),
    N_("the CSV file needs a header line with at least the columns text and received_at"),
    N_("unknown upload format %(format)s; known: %(formats)s"),
    N_("the upload is larger than %(count)s MB"),
    N_("the upload has no rows"),
    N_("the upload is not UTF-8 text"),
    N_("the CSV file cannot be read: %(reason)s"),
    N_("the upload has more than %(count)s rows; split it"),
    N_("%(count)s problems in the upload; nothing was imported (%(problems)s)"),
    N_("%(count)s problems in the upload; nothing was imported"),
    # quarterly reports (reports/, web/monitoring.py)
    N_("the quarter must be written like 2026Q3 (a year from %(low)s to %(high)s, Q and 1 to 4)"),
    N_("the report language must be one of %(langs)s"),
    N_("the report format must be one of %(formats)s"),
    # the server's state
    N_("the server's disk is full; nothing was saved, try again later"),
    N_("the database is busy; nothing was saved, try again in a few seconds"),
    N_("the database is unavailable; nothing was saved, try again shortly"),
    # images attached to posts (attachments.py, web/attachments.py)
    N_("images can be attached or removed only while the post is a draft or sent back for changes"),
    N_("only PNG or JPEG images may be attached to a post"),
    N_("the image could not be read; attach a PNG or JPEG file that opens as a picture"),
    N_("images cannot be read on this server: Tesseract is not installed "
       "(Debian: apt-get install tesseract-ocr tesseract-ocr-hin tesseract-ocr-ben)"),
    N_("a post may carry at most %(count)s images"),
    N_("no image %(id)s on this post"),
    N_("choose an image to attach"),
)

#: Words that fill the placeholders (field names, roles, states, actions), by the English the
#: service uses, with the label the pages show for them.
TERMS: dict[str, str] = {
    # fields
    "platform": N_("Platform"), "handle": N_("Handle"), "url": N_("Address"),
    "display_name": N_("Name shown on the account"), "purpose": N_("Purpose"), "audience": N_("Audience"),
    "website_url": N_("Website link"), "grs_url": N_("GRS link"), "password_rotated_on": N_("Password last changed"),
    "privacy_notes": N_("Privacy settings"),
    "profile_photo_institutional": N_("Banner and profile picture are institutional"),
    "platform_terms_followed": N_("The platform's terms are followed"),
    "letterhead_shows_address": N_("The letterhead shows this address"),
    "two_factor_enabled": N_("Two-step login is on"),
    "admins": N_("Admin team"), "title": N_("Title"), "text": N_("Post text"), "comment": N_("Comment"),
    "note": N_("Note"), "name": N_("Name"), "username": N_("Username"), "password": N_("Password"),
    "institution": N_("Institution"), "account": N_("Account"), "post": N_("Post"), "role": N_("Role"),
    "the publication time": N_("Published at"), "short_name": N_("Short name"),
    "local_name": N_("Name in the local language"), "timezone": N_("Time zone"),
    "approval_tiers": N_("Approvals needed before publication"),
    "approval_ttl_hours": N_("An approval lapses after (hours)"),
    "password_rotation_days": N_("Change account passwords every (days)"),
    "from": N_("From"), "to": N_("Until"),
    # roles
    "author": N_("Author"), "moderator": N_("Moderator"), "approver": N_("Approver"), "monitor": N_("Monitor"),
    "admin": N_("Administrator"),
    # states (the service writes them with spaces or underscores)
    "draft": N_("Draft"), "submitted": N_("Submitted"), "approved": N_("Approved"),
    "changes requested": N_("Changes requested"), "changes_requested": N_("Changes requested"),
    "rejected": N_("Rejected"), "published": N_("Published"), "corrected": N_("Corrected"),
    "retracted": N_("Retracted"), "archived": N_("Archived"),
    # workflow actions
    "edit": N_("Edit post"), "submit": N_("Submit for approval"), "withdraw": N_("Withdraw"),
    "approve": N_("Approve"), "request changes": N_("Request changes"), "reject": N_("Reject"),
    "publish": N_("Record the publication"), "correct": N_("Publish a correction"), "retract": N_("Retract"),
    "archive": N_("Archive"),
    # the violation register's states and steps (written with spaces)
    "noted": N_("Noted"), "show cause issued": N_("Show-cause notice issued"),
    "explanation received": N_("Explanation received"), "decided": N_("Decided"), "closed": N_("Closed"),
    "issue show cause": N_("Issue a show-cause notice"), "record explanation": N_("Record the explanation"),
    "decide": N_("Decide"), "close": N_("Close the case"),
}
#: Joins the alternatives of a list ("admin or moderator").
OR = N_("or")

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each template as a regular expression, the most specific (most literal text) first."""
    out = []
    for template in SERVICE_MESSAGES:
        parts = _PLACEHOLDER.split(template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        literal = sum(len(p) for p in parts[::2])
        out.append((literal, re.compile(regex, re.DOTALL), template))
    out.sort(key=lambda item: -item[0])
    return [(regex, template) for _, regex, template in out]


def _term(value: str, translate: Callable[[str], str]) -> str:
    """``value`` translated when it is a term or a list of terms ("a, b" / "a or b"), else as it is."""
    if value in TERMS:
        return str(translate(TERMS[value]))
    for sep, joiner in ((", ", ", "), (" or ", f" {translate(OR)} ")):
        parts = value.split(sep)
        if len(parts) > 1 and all(p in TERMS for p in parts):
            return joiner.join(str(translate(TERMS[p])) for p in parts)
    return value


def translate_message(locale: str, message: str) -> str | None:
    """``message`` (a service error's English text) in ``locale``; None when no template matches it.

    English gives the message back as it is. The filled-in parts are plain text; the page escapes them.
    """
    if not message:
        return None
    for regex, template in _patterns():
        found = regex.fullmatch(message)
        if found is None:
            continue
        if locale == "en":
            return message
        gettext = translations(locale).gettext
        params = {name: _term(value, gettext) for name, value in found.groupdict().items()}
        return gettext(template) % params if params else gettext(template)
    return None
