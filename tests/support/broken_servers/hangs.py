"""Broken on purpose: listens and accepts connections, then never reads or writes a byte (a
server stuck before its first reply). The tester must fail it quickly and move on."""

import os
import socket
import sys

port = int(os.environ.get("PORT", "55555"))
if "--port" in sys.argv:
    port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(64)
held = []
while True:
    conn, _ = server.accept()
    held.append(conn)
