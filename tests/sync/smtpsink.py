"""A small SMTP sink on loopback for the notification tests (python3
standard library only): it takes messages as a relay would and keeps them,
or, when told, refuses them (451 to RCPT), answers nothing at all (a hung
relay), or is not there (stopped; start() again on the same port).  With
a certificate it speaks TLS: from the start (smtps) or after STARTTLS; it
takes AUTH PLAIN and keeps the credentials it was given.

Debian's python3-aiosmtpd would do the receiving too, but the tests run
under whichever python3 CMake found, which need not see Debian's python3
packages; this sink needs nothing, and its failure modes are the test's to
choose.
"""

import base64
import socketserver
import ssl
import threading
import time


class Message:
    def __init__(self, mail_from, rcpts, data):
        self.mail_from = mail_from
        self.rcpts = rcpts
        self.data = data                      # bytes as sent, dot-stuffing undone
        self.tls = False                      # whether it came over TLS
        head, _, body = data.partition(b"\r\n\r\n")
        self.headers = {}
        for line in head.decode("utf-8").replace("\r\n ", " ").split("\r\n"):
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.body = body.decode("utf-8")

    def __repr__(self):
        return "<to %s: %s>" % (",".join(self.rcpts), self.headers.get("subject"))


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def start_tls(self):
        self.wfile.flush()
        self.connection = self.server.sink.tls_context.wrap_socket(self.connection,
                                                                   server_side=True)
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb")

    def handle(self):
        sink = self.server.sink
        if sink.tls == "smtps":
            try:
                self.start_tls()
            except (ssl.SSLError, OSError):
                return
        if sink.mode == "hang":
            # A relay that accepted the connection and then says nothing.
            while sink.mode == "hang" and not sink.closing:
                time.sleep(0.05)
            return
        self.reply("220 sink ESMTP")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                offers = ["sink", "8BITMIME"]
                if sink.tls == "starttls" and not isinstance(self.connection, ssl.SSLSocket):
                    offers.append("STARTTLS")
                if sink.tls != "starttls" or isinstance(self.connection, ssl.SSLSocket):
                    offers.append("AUTH PLAIN")
                self.reply("\r\n".join("250-" + o for o in offers[:-1]) + "\r\n250 " + offers[-1])
            elif verb == "STARTTLS" and sink.tls == "starttls":
                self.reply("220 go ahead")
                try:
                    self.start_tls()
                except (ssl.SSLError, OSError):
                    return
            elif verb == "AUTH":
                parts = cmd.split()
                if len(parts) < 3:
                    self.reply("334 ")
                    parts.append(self.rfile.readline().decode().strip())
                creds = base64.b64decode(parts[2]).split(b"\0")
                sink.logins.append((creds[1].decode(), creds[2].decode()))
                self.reply("235 2.7.0 accepted")
            elif verb == "HELO":
                self.reply("250 sink")
            elif verb == "MAIL":
                mail_from, rcpts = cmd.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                self.reply("250 ok")
            elif verb == "RCPT":
                if sink.mode == "refuse":
                    self.reply("451 4.3.0 sink told to refuse")
                    continue
                rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("554 no valid recipients")
                    continue
                self.reply("354 go ahead")
                data = []
                while True:
                    l = self.rfile.readline()
                    if not l or l == b".\r\n":
                        break
                    data.append(l[1:] if l.startswith(b".") else l)
                with sink.lock:
                    msg = Message(mail_from, rcpts, b"".join(data))
                    msg.tls = isinstance(self.connection, ssl.SSLSocket)
                    sink.messages.append(msg)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250 ok")
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """An SMTP sink on 127.0.0.1; mode "ok", "refuse" or "hang"."""

    def __init__(self, tls=None, cert=None, key=None):
        """tls: None (plain), "smtps" or "starttls", with `cert` and `key`."""
        self.tls = tls
        self.tls_context = None
        if tls:
            self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_context.load_cert_chain(cert, key)
        self.logins = []
        self.messages = []
        self.lock = threading.Lock()
        self.mode = "ok"
        self.closing = False
        self.port = 0
        self.server = None

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("smtps" if self.tls == "smtps" else "smtp", self.port)

    def start(self):
        self.closing = False
        self.server = _Server(("127.0.0.1", self.port), _Handler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Not there any more: new connections are refused."""
        if self.server:
            self.closing = True
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def taken(self):
        with self.lock:
            return list(self.messages)

    def wait(self, count, timeout=30):
        """Waits until `count` messages have arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.taken()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.taken()

