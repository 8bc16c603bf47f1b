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
    """No access log: it would interleave with maws's own output in the demo and tests. No Nagle delay
    either: werkzeug writes an answer's head and body apart, and over TLS the body would wait for the
    client's ACK of the head (some 10 ms a request)."""

    disable_nagle_algorithm = True

    def log_request(self, *args, **kwargs):
        pass


class BackgroundServer:
    """`app` on a free loopback port: over HTTPS with `ssl_context`, else plain HTTP."""

    def __init__(self, app, name, ssl_context=None):
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler,
                                   ssl_context=ssl_context)
        self.port = self._server.port
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


class ReverseProxy:
    """A WSGI app that passes each request on to a plain-HTTP server on loopback and its answer
    back: the TLS front of the roles API, as an organisation's load balancer would be."""

    def __init__(self, port):
        self.port = port

    def __call__(self, environ, start_response):
        import http.client

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        path = environ.get("PATH_INFO", "/") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(environ["REQUEST_METHOD"], path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            hop = {"connection", "keep-alive", "transfer-encoding", "content-length"}
            start_response(f"{response.status} {response.reason}",
                           [(k, v) for k, v in response.getheaders() if k.lower() not in hop]
                           + [("Content-Length", str(len(payload)))])
            return [payload]
        finally:
            connection.close()
