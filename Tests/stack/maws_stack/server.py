"""Serving a WSGI app on a free loopback port in a background thread."""

import socket
import threading

from werkzeug.serving import WSGIRequestHandler, make_server


def free_port():
    """A loopback port nothing listens on (at the moment it is asked)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _QuietHandler(WSGIRequestHandler):
    """No access log: it would interleave with maws's own output in the demo and tests."""

    def log_request(self, *args, **kwargs):
        pass


class BackgroundServer:
    def __init__(self, app, name):
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
