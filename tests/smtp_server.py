"""Mail servers made by the tests, on free ports of 127.0.0.1: one that accepts connections
and never answers (a mail server that hangs), and one that answers the few SMTP commands
Django's SMTP backend sends and keeps each message it takes."""

import socket
import threading
import time
from email import message_from_bytes


class _Server:
    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        # shutdown() wakes the thread waiting in accept(); close() alone would leave the
        # port listening while it waits.
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for connection in self.connections:
            connection.close()

    def _accept(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return  # closed
            self.connections.append(connection)
            self.serve(connection)

    def serve(self, connection):
        raise NotImplementedError


class HangingSMTPServer(_Server):
    """Accepts every connection and never says a word, as the attacked server did."""

    def serve(self, connection):
        pass  # held open, unanswered, until the test ends


class TricklingSMTPServer(_Server):
    """Greets with a line every `every` seconds and never finishes the greeting: each read
    gets its data in time, so only a deadline on the whole send ends the wait."""

    def __init__(self, every=0.5):
        super().__init__()
        self.every = every

    def serve(self, connection):
        threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection):
        try:
            while True:
                connection.sendall(b"220-still here\r\n")
                time.sleep(self.every)
        except OSError:
            return  # the client gave up


class AnsweringSMTPServer(_Server):
    """Takes every message; `messages` holds (recipients, email.message.Message). With
    `delay`, waits that long before each reply: a slow mail server."""

    def __init__(self, delay=0):
        super().__init__()
        self.delay = delay
        self.messages = []

    def serve(self, connection):
        threading.Thread(target=self._converse, args=(connection,), daemon=True).start()

    def _converse(self, connection):
        stream = connection.makefile("rb")
        recipients = []

        def reply(line):
            time.sleep(self.delay)
            connection.sendall(line.encode() + b"\r\n")

        try:
            reply("220 test.example SMTP ready")
            for raw in stream:
                command = raw.decode().strip().upper()
                if command.startswith(("EHLO", "HELO", "MAIL", "RSET", "NOOP")):
                    recipients = [] if command.startswith("MAIL") else recipients
                    reply("250 OK")
                elif command.startswith("RCPT"):
                    recipients.append(raw.decode().split(":", 1)[1].strip().strip("<>"))
                    reply("250 OK")
                elif command == "DATA":
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    data = b"".join(iter(stream.readline, b".\r\n"))
                    self.messages.append((recipients, message_from_bytes(data)))
                    reply("250 OK: queued")
                elif command == "QUIT":
                    reply("221 Bye")
                    return
                else:
                    reply("502 Command not implemented")
        except OSError:
            return
        finally:
            stream.close()
            connection.close()

    def recipients(self):
        return [recipients for recipients, _message in self.messages]
