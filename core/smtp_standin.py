"""A tiny SMTP server on loopback for tests and a closed-network demo (the stdlib's smtpd is gone in 3.12).

It speaks what Django's SMTP backend says (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps each
accepted message in ``messages`` as an ``email.message.EmailMessage``. ``refuse_with`` (say ``"451 4.3.0
Try again later"``) makes every RCPT answer that, as a mail server that is down or full would.

    server = SmtpStandIn().start(); settings.EMAIL_PORT = server.port; ...; server.stop()
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage


class SmtpStandIn:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_with = ""
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def start(self) -> SmtpStandIn:
        stand_in = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
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
                        stand_in.messages.append(message_from_bytes(b"".join(lines), policy=policy.default))
                        self.reply(f"250 OK queued as {len(stand_in.messages)}")
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
