"""Broken on purpose: takes one read for one command, as the seed 000 server did. Two commands
in one write merge into one, a long line splits into several, a line split across writes
becomes two commands. Everything else is student_server.py."""

from student_server import ChatServer, main


class MergesLines(ChatServer):
    def read_commands(self, client):
        while True:
            try:
                data = client.sock.recv(1024)
            except OSError:
                return
            if not data:
                return
            yield data.decode("utf-8", "replace").strip()


if __name__ == "__main__":
    main(MergesLines)
