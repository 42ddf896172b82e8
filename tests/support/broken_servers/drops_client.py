"""Broken on purpose: when a connection is lost (closed without QUIT), the cleanup removes the
most recently accepted client instead of the lost one (the classic global `client` variable
of the accept loop, read in the handler thread): an innocent user is dropped, the vanished one
stays listed. QUIT works. Everything else is student_server.py."""

from student_server import ChatServer, main


class DropsClient(ChatServer):
    def connection_lost(self, client):
        self.remove(self.last_accepted, "connection closed")


if __name__ == "__main__":
    main(DropsClient)
