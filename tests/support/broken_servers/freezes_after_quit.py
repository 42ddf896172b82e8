"""Broken on purpose: the seed 000 deadlock. Removing a user broadcasts the leave notice while
still holding the room's lock, and the broadcast takes the same (non-reentrant) lock again: the
first user who leaves, by QUIT or by closing the connection, freezes the server for everyone.
Everything else is student_server.py."""

from student_server import ChatServer, main


class FreezesAfterQuit(ChatServer):
    def remove(self, client, reason):
        with self.lock:
            if client not in self.clients:
                return
            self.clients.remove(client)
            client.close_after_output()
            self.broadcast(f"*** {client.nick} left ({reason})")


if __name__ == "__main__":
    main(FreezesAfterQuit)
