"""A text chat server written the way the seed 000 students wrote theirs (Python sockets, one
thread per client, a lock around the shared lists), but correct: it follows docs/PROTOCOL.md's
text protocol (the binary protocol is not spoken). The broken servers beside it are this one
with ONE method replaced by the classic mistake they stand for, so each fails exactly the tests
of that mistake.

Usage: python3 student_server.py --port PORT   (or the PORT environment variable)
"""

import json
import os
import queue
import re
import socket
import sys
import threading
import time
import unicodedata

MAX_TEXT = 32768
MAX_LINE = MAX_TEXT + 64
MAX_QUEUED = 4 * 1024 * 1024
FLOOD_BURST = 10
FLOOD_SECONDS = 5.0
IDLE_COMMAND_S = 0.04
NICK_RE = re.compile(r"^[^\W][\w-]*$")
CONTROL_RE = re.compile("[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HELP = "MSG <text> | LIST (WHO) | NICK <name> | PRIV <nick> <text> | QUIT | HELP | STATS"
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict",
           413: "Payload Too Large", 429: "Too Many Requests", 503: "Service Unavailable"}


class Client:
    """One connection: its socket, its nickname once registered, and an output queue drained
    by a writer thread (so a client that never reads blocks only its own writer)."""

    def __init__(self, sock):
        self.sock = sock
        self.nick = None
        self.out = queue.Queue()
        self.queued = 0
        self.queued_lock = threading.Lock()
        self.tokens = float(FLOOD_BURST)
        self.refilled = time.monotonic()
        self.writer = threading.Thread(target=self._write_loop, daemon=True)
        self.writer.start()

    def send(self, text):
        data = text.encode("utf-8")
        with self.queued_lock:
            self.queued += len(data)
            too_much = self.queued > MAX_QUEUED
        self.out.put(data)
        return not too_much

    def close_after_output(self):
        self.out.put(None)

    def _write_loop(self):
        while True:
            data = self.out.get()
            if data is None:
                break
            try:
                self.sock.sendall(data)
            except OSError:
                break
            with self.queued_lock:
                self.queued -= len(data)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def take_token(self):
        now = time.monotonic()
        self.tokens = min(FLOOD_BURST, self.tokens + (now - self.refilled) * FLOOD_BURST / FLOOD_SECONDS)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def status(code, body, detail=None):
    head = f"{code} {REASONS[code]}" + (f" - {detail}" if detail else "")
    return f"{head}\n{body}\n"


def check_nick(raw):
    nick = unicodedata.normalize("NFC", raw.strip())
    if nick == "":
        return None, "empty"
    if CONTROL_RE.search(nick):
        return None, "control characters are not allowed"
    if len(nick) > 24:
        return None, f"too long ({len(nick)} characters, max 24)"
    if not NICK_RE.match(nick) or nick.startswith("-"):
        return None, f"only letters, digits, _ and - (not first) are allowed: {nick}"
    return nick, None


class ChatServer:
    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.clients = []
        self.last_accepted = None

    # --- connections -------------------------------------------------------------------

    def serve(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        print(f"listening on 127.0.0.1:{self.port}", flush=True)
        while True:
            sock, _ = server.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client = Client(sock)
            self.last_accepted = client
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    def handle(self, client):
        client.send("NICK")
        for line in self.read_commands(client):
            if line is None:
                self.reply(client, 413, f"Line too long (max {MAX_LINE} bytes)")
            elif client.nick is None:
                if not self.register(client, line):
                    return
            elif self.command(client, line) == "quit":
                return
        self.connection_lost(client)

    def read_commands(self, client):
        """Yields command lines: lines end in \\n (or \\r\\n); until a newline is seen, a burst
        of bytes followed by 40 ms of silence is one command (the seed 000 client sends no
        newline). None stands for a line over the limit (its bytes are discarded)."""
        buf = b""
        lines = False
        discarding = False
        sock = client.sock
        while True:
            sock.settimeout(IDLE_COMMAND_S if buf and not lines else None)
            try:
                data = sock.recv(65536)
            except socket.timeout:
                yield buf.decode("utf-8", "replace")
                buf = b""
                continue
            except OSError:
                data = b""
            if not data:
                if buf and not discarding:
                    yield buf.decode("utf-8", "replace")
                return
            buf += data
            while b"\n" in buf:
                lines = True
                line, buf = buf.split(b"\n", 1)
                if discarding:
                    discarding = False
                    continue
                if len(line) > MAX_LINE:
                    yield None
                    continue
                yield line.rstrip(b"\r").decode("utf-8", "replace")
            if len(buf) > MAX_LINE:
                buf = b""
                if not discarding:
                    discarding = True
                    yield None

    def connection_lost(self, client):
        self.remove(client, "connection closed")

    # --- the room ----------------------------------------------------------------------

    def register(self, client, line):
        nick, problem = check_nick(line)
        if problem:
            return self.refuse(client, 400, f"Invalid nickname: {problem}")
        with self.lock:
            if any(c.nick.lower() == nick.lower() for c in self.clients):
                taken = True
            else:
                taken = False
                client.nick = nick
                self.clients.append(client)
                n = len(self.clients)
        if taken:
            return self.refuse(client, 409, f"Nickname taken: {nick}")
        users = "user" if n == 1 else "users"
        client.send(status(200, f"Welcome, {nick}! {n} {users} online. Type HELP for commands.", "Connected"))
        self.broadcast(f"*** {nick} joined ({n} online)", client)
        return True

    def refuse(self, client, code, body):
        client.send(status(code, body))
        client.close_after_output()
        return False

    def remove(self, client, reason):
        with self.lock:
            if client not in self.clients:
                return
            self.clients.remove(client)
        client.close_after_output()
        self.broadcast(f"*** {client.nick} left ({reason})")

    def broadcast(self, line, sender=None):
        with self.lock:
            targets = [c for c in self.clients if c is not sender]
        for c in targets:
            if not c.send(line + "\n"):
                self.remove(c, "too slow")

    def reply(self, client, code, body, detail=None):
        client.send(status(code, body, detail))

    def accept_text(self, client, text):
        if text == "":
            self.reply(client, 400, "Empty message")
        elif CONTROL_RE.search(text):
            self.reply(client, 400, "Control characters are not allowed")
        elif len(text.encode("utf-8")) > MAX_TEXT:
            self.reply(client, 413, f"Message too long (max {MAX_TEXT})")
        elif not client.take_token():
            self.reply(client, 429, f"Slow down: {FLOOD_BURST} messages per {int(FLOOD_SECONDS)} s")
        else:
            return True
        return False

    def command(self, client, line):
        verb, _, rest = line.partition(" ")
        verb = verb.upper()
        if verb == "MSG":
            if self.accept_text(client, rest):
                self.broadcast(f"[{client.nick}]: {rest}", client)
                self.reply(client, 200, "Message sent")
        elif verb in ("LIST", "WHO"):
            with self.lock:
                names = ", ".join(c.nick for c in self.clients)
            self.reply(client, 200, names, "User List")
        elif verb == "NICK":
            self.rename(client, rest)
        elif verb == "PRIV":
            self.private(client, rest)
        elif verb == "QUIT":
            self.reply(client, 200, f"Bye, {client.nick}", "Disconnecting")
            self.remove(client, "quit")
            return "quit"
        elif verb == "HELP":
            self.reply(client, 200, HELP, "Help")
        elif verb == "STATS":
            with self.lock:
                n = len(self.clients)
            self.reply(client, 200, json.dumps({"users": n}), "Stats")
        else:
            shown = json.dumps(verb) if CONTROL_RE.search(verb) else verb
            self.reply(client, 404, f"Unknown command: {shown}")
        return None

    def rename(self, client, rest):
        nick, problem = check_nick(rest)
        if problem:
            return self.reply(client, 400, f"Invalid nickname: {problem}")
        with self.lock:
            taken = any(c is not client and c.nick.lower() == nick.lower() for c in self.clients)
            old = client.nick
            if not taken:
                client.nick = nick
        if taken:
            return self.reply(client, 409, f"Nickname taken: {nick}")
        self.reply(client, 200, f"You are now {nick}", "Nickname changed")
        if old != nick:
            self.broadcast(f"*** {old} is now known as {nick}", client)

    def private(self, client, rest):
        target, _, text = rest.lstrip(" ").partition(" ")
        if target == "" or text == "":
            return self.reply(client, 400, "Usage: PRIV <nick> <text>")
        with self.lock:
            to = next((c for c in self.clients if c.nick.lower() == target.lower()), None)
        if to is None:
            return self.reply(client, 404, f"No such user: {target}")
        if self.accept_text(client, text):
            to.send(f"[{client.nick} -> {to.nick}]: {text}\n")
            self.reply(client, 200, f"Private message sent to {to.nick}")


def main(server_class=ChatServer):
    port = int(os.environ.get("PORT", "55555"))
    if "--port" in sys.argv:
        port = int(sys.argv[sys.argv.index("--port") + 1])
    try:
        server_class(port).serve()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
