"""A tiny SMTP server on loopback (core/standin.py) for tests and a closed-network demo (the stdlib's smtpd is gone
in 3.12).

It speaks what Django's SMTP backend says (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps each
accepted message in ``messages`` as an ``email.message.EmailMessage``. ``refuse_with`` (say ``"451 4.3.0
Try again later"``) makes every RCPT answer that, as a mail server that is down or full would.

    with SmtpStandIn() as server: settings.EMAIL_PORT = server.port; ...
"""

from __future__ import annotations

import socketserver
from email import message_from_bytes, policy
from email.message import EmailMessage

from core.standin import LoopbackServer


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        stand_in: SmtpStandIn = self.server.stand_in  # type: ignore[attr-defined]
        self.reply("220 standin.local ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline(65536):
            verb = line.decode("utf-8", "replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-standin.local")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 standin.local")
            elif verb == "MAIL":
                sender, recipients = line.decode().split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                if stand_in.refuse_with:
                    self.reply(stand_in.refuse_with)
                else:
                    recipients.append(line.decode().split(":", 1)[1].strip())
                    self.reply("250 OK")
            elif verb == "DATA":
                if not (sender and recipients):
                    self.reply("503 Bad sequence of commands")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (chunk := self.rfile.readline(65536)) not in (b".\r\n", b".\n", b""):
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with stand_in.lock:
                    stand_in.messages.append(message_from_bytes(b"".join(lines), policy=policy.default))
                    queued = len(stand_in.messages)
                self.reply(f"250 OK queued as {queued}")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SmtpStandIn(LoopbackServer):
    handler_class = _SmtpHandler

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[EmailMessage] = []
        self.refuse_with = ""
