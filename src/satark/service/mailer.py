"""Notification e-mail over SMTP (issue 12, section 6).

Settings: ``SATARK_SMTP_HOST`` (unset: no e-mail), ``_PORT``, ``_STARTTLS`` or ``_SSL``,
``_CA_FILE``, ``_USERNAME``/``_PASSWORD`` and ``_FROM``; links point at ``SATARK_PUBLIC_URL``. The job
(``jobs.py``) hands a batch of messages to :meth:`Mailer.send`, which never raises: each
message comes back sent or with the reason it was not, so that the job records the failure
and tries again on its next run instead of stopping.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .i18n import N_, translations
from .settings import Settings

__all__ = ["Mail", "Mailer"]

log = logging.getLogger("satark.service.mail")

#: Seconds to wait on the mail server before giving up (for this run).
TIMEOUT = 30
MAX_SUBJECT = 120

SUBJECT = N_("Satark: {summary}")
OPEN_LINK = N_("Open in Satark: {link}")
FOOTER = N_("You receive this e-mail because you chose to be notified by e-mail in Satark. To be notified in "
            "the app only, change your choice on the Notifications page.")


@dataclass(frozen=True)
class Mail:
    """One e-mail to one person, already in their language."""

    to: str
    subject: str
    body: str


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def compose(self, *, to: str, locale: str, text: str, link: str) -> Mail:
        """The e-mail for a notification's ``text`` (already translated) in ``locale``: the text
        as subject (shortened) and body, the link made absolute with ``SATARK_PUBLIC_URL``, and
        a footer saying how to stop e-mail."""
        gettext = translations(locale).gettext
        summary = " ".join(text.split())
        if len(summary) > MAX_SUBJECT:
            summary = summary[:MAX_SUBJECT - 1].rstrip() + "…"
        parts = [text]
        base = self.settings.public_url
        if base and link:
            parts.append(gettext(OPEN_LINK).format(link=base + link))
        body = "\n\n".join(parts) + "\n\n-- \n" + gettext(FOOTER) + (f"\n{base}/notifications" if base else "") + "\n"
        return Mail(to=to, subject=gettext(SUBJECT).format(summary=summary), body=body)

    def message(self, mail: Mail) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.settings.smtp_from
        msg["To"] = mail.to
        msg["Subject"] = mail.subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain=self.settings.smtp_from.rpartition("@")[2].strip("> ") or None)
        # RFC 3834: an automatic message, so that auto-responders do not answer it.
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(mail.body, charset="utf-8")
        return msg

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        # The server's certificate is always verified, against the office's own CA when it
        # names one: a mail server on the office network often has no public certificate.
        context = ssl.create_default_context(cafile=s.smtp_ca_file or None)
        server: smtplib.SMTP
        if s.smtp_ssl:
            server = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=TIMEOUT, context=context)
        else:
            server = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT)
        try:
            if s.smtp_starttls and not s.smtp_ssl:
                server.starttls(context=context)
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password is not None else ""
                server.login(s.smtp_username, password)
        except BaseException:
            server.close()
            raise
        return server

    def send(self, mails: Sequence[tuple[int, Mail]]) -> dict[int, str]:
        """Send each ``(id, mail)`` over one connection; ``{id: ""}`` when sent, else the reason.
        Never raises: a server that cannot be reached fails the whole batch, to be tried again."""
        results: dict[int, str] = {}
        if not mails:
            return results
        if not self.configured:
            return {ident: "no mail server is configured (SATARK_SMTP_HOST)" for ident, _ in mails}
        try:
            server = self._connect()
        except Exception as exc:  # refused, unreachable, bad TLS, a login smtplib cannot encode: all retried
            reason = _reason(exc)
            log.warning("cannot reach the mail server %s:%s: %s; %d e-mail(s) will be tried again",
                        self.settings.smtp_host, self.settings.smtp_port, reason, len(mails))
            return {ident: reason for ident, _ in mails}
        try:
            for ident, mail in mails:
                if ident in results:
                    continue
                try:
                    refused = server.send_message(self.message(mail))
                    results[ident] = _reason(next(iter(refused.values()))) if refused else ""
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    results[ident] = _reason(exc)
                    log.warning("the mail server refused an e-mail to %s: %s", mail.to, results[ident])
                except Exception as exc:  # the connection broke: the rest wait for the next run
                    reason = _reason(exc)
                    log.warning("the mail server failed while sending: %s; the rest will be tried again", reason)
                    for rest, _mail in mails:
                        results.setdefault(rest, reason)
                    return results
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
        return results


def _reason(exc: object) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, tuple):
        text = " ".join(str(x.decode("utf-8", "replace") if isinstance(x, bytes) else x) for x in exc)
    return " ".join(text.split())[:300] or "error"
