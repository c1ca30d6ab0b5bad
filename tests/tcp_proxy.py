"""A TCP proxy made by a test, in front of a real server, that can fall silent.

    with TcpProxy(("127.0.0.1", 5432)) as proxy:   # proxy.port forwards to PostgreSQL
        proxy.silent = True    # connections stay open, accepted as before; nothing passes
        proxy.silent = False   # new connections are forwarded again

A silent proxy is a server that is up at the TCP level (connections accepted, packets
acknowledged) and never answers: a hung server, or a proxy stuck in front of it.
"""

import socket
import threading


class TcpProxy:
    def __init__(self, upstream):
        self.upstream = upstream
        self.silent = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.closed = threading.Event()

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.closed.set()
        self.listener.close()
        for sock in self.sockets:
            sock.close()

    def _accept(self):
        while not self.closed.is_set():
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            self.sockets.append(client)
            if self.silent:
                continue  # held open, never answered
            server = socket.create_connection(self.upstream)
            self.sockets.append(server)
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                if not self.silent:  # silent: what arrives is swallowed
                    target.sendall(data)
        except OSError:
            pass  # one side closed
        finally:
            source.close()
            target.close()
