"""An email sent over SMTP at most once, even when the worker is killed in the middle of it.

An SMTP server takes responsibility for a message when it reads the final ``.`` line of DATA and
answers 250. Recording the send after that answer leaves a window in which a killed worker has
delivered a message but not recorded it, and the message goes out again when its claim is taken
over. Here the order is the other way round: everything but the final line is sent, then
``before_accept`` records the row as sent and, the moment the record has committed, writes the
final line itself (on the dispatcher's thread, which holds the database connection, so that no
thread switch sits between the two).

- Killed before the record commits: the server holds an unfinished message, which it discards
  when the connection drops (RFC 5321, 3.3); the claim is taken over and the email sent once.
- Killed after the record commits: the row says sent; the server has the message, unless the
  worker died in the few microseconds between the commit's answer and writing the final line
  (the one window left, in which an email is lost rather than sent twice: README, "Delivery
  guarantees").
- The final line cannot be written, or the server refuses it (4xx, 5xx): the caller records
  the failure over the early record, and the email is retried or dead as usual.
- No answer after the final line (a timeout, a dropped connection): the server may have the
  message, so it is left recorded as sent (``UnconfirmedDelivery``), never sent again.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

_LEADING_DOT = re.compile(rb"(?m)^\.")
_CRLF = b"\r\n"


class NotHandedOver(Exception):
    """The send was not recorded in time (the claim is no longer ours, or the database failed),
    so the message was abandoned before the server could accept it."""


class UnconfirmedDelivery(Exception):
    """The final line went out but the server's answer did not come back: it may have the
    message, and sending it again could duplicate it."""


def is_smtp(connection: object) -> bool:
    return isinstance(connection, SMTPBackend)


def _abandon(server: smtplib.SMTP) -> None:
    """Drop the connection in the middle of DATA: the server discards the unfinished message."""
    with contextlib.suppress(OSError):
        server.close()


# Records the send, then (if it did) calls the function it is given, which writes the final line;
# returns whether it recorded the send. Errors of the final line are raised from it.
BeforeAccept = Callable[[Callable[[], None]], bool]


# Complexity: the SMTP conversation, step by step, with the early record before the last line.
def smtp_send_recorded(  # noqa: C901
    connection: SMTPBackend, email: EmailMessage, before_accept: BeforeAccept
) -> None:
    """Send ``email`` over the open ``connection``; ``before_accept`` records the send and
    writes the line that makes the server accept it."""
    if connection.connection is None:
        connection.open()
    server = connection.connection
    assert server is not None
    encoding = email.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(email.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in email.recipients()]
    content = email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]

    server.ehlo_or_helo_if_needed()
    code, answer = server.mail(sender)
    if code != 250:
        server.rset()
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    refused = {}
    for recipient in recipients:
        code, answer = server.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, answer)
    if len(refused) == len(recipients):
        server.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    server.putcmd("data")
    code, answer = server.getreply()
    if code != 354:
        server.rset()
        raise smtplib.SMTPDataError(code, answer)
    body = _LEADING_DOT.sub(b"..", content)
    if not body.endswith(_CRLF):
        body += _CRLF
    server.send(body)

    if not before_accept(lambda: server.send(b"." + _CRLF)):
        _abandon(server)
        raise NotHandedOver("The send could not be recorded first; the message was abandoned.")

    try:
        code, answer = server.getreply()
    except (OSError, smtplib.SMTPServerDisconnected) as error:
        raise UnconfirmedDelivery(f"{type(error).__name__}: {error}") from error
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)
