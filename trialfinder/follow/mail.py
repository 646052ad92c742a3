"""Sending mail: SMTP settings from the environment, and one connection a run.

SMTP settings come from the environment (``TRIALFINDER_SMTP_HOST``, ``_PORT``,
``_USER``, ``_PASSWORD``, ``_TLS`` = none | starttls | ssl, ``_SENDER``) or the
command's options.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import parseaddr

ENV_PREFIX = "TRIALFINDER_SMTP_"
TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


# ------------------------------------------------------------------ settings


class NotConfigured(RuntimeError):
    """No SMTP server is set: messages cannot be sent."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: str = "starttls"
    sender: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **given) -> SmtpSettings:
        """From ``TRIALFINDER_SMTP_*``; values in ``given`` (not None) win."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name, "").strip()
            return value or None

        port = get("PORT")
        try:
            port_number = int(port) if port else None
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}PORT={port!r} is not a port number") from None
        settings = cls(
            host=get("HOST"),
            port=port_number,
            user=get("USER"),
            password=env.get(ENV_PREFIX + "PASSWORD") or None,
            tls=(get("TLS") or "starttls").lower(),
            sender=get("SENDER"),
        )
        settings = replace(settings, **{k: v for k, v in given.items() if v is not None})
        settings.check()
        return settings

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS.get(self.tls, 25)

    def check(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"SMTP TLS {self.tls!r}: choose one of {', '.join(TLS_MODES)}")
        if self.port is not None and not 0 < self.port < 65536:
            raise ValueError(f"SMTP port {self.port}: not a port number")
        if self.sender and "@" not in parseaddr(self.sender)[1]:
            raise ValueError(f"sender {self.sender!r}: not an e-mail address")


def message_text(msg: EmailMessage) -> str:
    """A message as a dry run prints it: the headers that matter and the plain text."""
    head = "\n".join(f"{k}: {msg[k]}" for k in ("From", "To", "Subject") if msg[k])
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return f"{head}\n\n{text}"


# ------------------------------------------------------------------ sending


class SendFailed(Exception):
    """The SMTP server did not accept a message; it is tried again next run."""


class Mailer:
    """One SMTP connection for a run, opened when the first message goes."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.configured:
            raise NotConfigured(
                "no SMTP server is set: give TRIALFINDER_SMTP_HOST and TRIALFINDER_SMTP_SENDER "
                "(or --smtp-host and --sender)"
            )
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        #: Why the server could not be reached: the rest of the run does not try again.
        self._unreachable: str | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.host is not None
        context = ssl.create_default_context()
        if s.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.effective_port, timeout=s.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
        try:
            if s.tls == "starttls":
                smtp.starttls(context=context)
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: EmailMessage) -> None:
        if self._unreachable is not None:
            raise SendFailed(self._unreachable)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                self._unreachable = f"the SMTP server cannot be used: {_why(error)}"
                raise SendFailed(self._unreachable) from error
        try:
            self._smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as error:
            if not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                self.close()  # the connection itself failed: open a new one next time
            raise SendFailed(_why(error)) from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _why(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"the server answered {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the server refused the address"
    return f"{type(error).__name__}: {error}"
