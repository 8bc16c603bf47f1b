"""WSGI middleware that records each request's method, path and form fields."""

import io
import threading
import urllib.parse


class RequestLog:
    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()
        self.requests = []

    def __call__(self, environ, start_response):
        body = b""
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        with self._lock:
            self.requests.append((environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), form, query))
        return self._app(environ, start_response)

    def count(self, method=None, path=None, **fields):
        with self._lock:
            return sum(1 for m, p, form, _ in self.requests
                       if (method is None or m == method) and (path is None or p == path)
                       and all(form.get(k) == [v] for k, v in fields.items()))
