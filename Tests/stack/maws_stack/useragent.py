"""A scripted user agent: what a person does in the browser, for tests and the unattended demo.

Used as $BROWSER: `python -m maws_stack.useragent URL`. It opens the URL maws gives it (a one-time
loopback address that redirects to the authorization URL), submits the provider's form as
MAWS_TEST_USER (or presses Deny when MAWS_TEST_ACTION=deny), and follows the redirect to maws's
loopback listener, as a browser would. When maws sends it on to the role picker, it chooses the role
named MAWS_TEST_PICK, or presses Cancel without it; MAWS_TEST_PICK=- leaves the picker open (the
test then acts on it, with the picker's address in the log). Like Chromium and Firefox, it resolves `localhost` itself and
tries [::1] before 127.0.0.1, whatever /etc/hosts says. MAWS_TEST_UA_LOG names a file for its log
(maws discards a browser's output); MAWS_TEST_UA_ARGV names a file that receives its arguments.
"""

import html
import http.client
import os
import re
import socket
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request


def _tls():
    """The certificates a browser of the test stack trusts: its CA (MAWS_TEST_CA), else the system's."""
    return ssl.create_default_context(cafile=os.environ.get("MAWS_TEST_CA") or None)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, timeout=10):
    """GET `url` without following redirects, as a browser connects: `localhost` is tried on [::1]
    first, then 127.0.0.1. Returns (status, headers, body)."""
    return request("GET", url, timeout=timeout)


def post_form(url, fields, host=None, timeout=60):
    """POSTs `fields` form-encoded to `url`, as a browser submits a form. Returns (status, headers, body)."""
    return request("POST", url, body=urllib.parse.urlencode(fields).encode(), host_header=host, timeout=timeout,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})


def request(method, url, body=None, headers=None, host_header=None, timeout=10):
    """One request without following redirects; `host_header` replaces the Host header."""
    parts = urllib.parse.urlsplit(url)
    hosts = ["::1", "127.0.0.1"] if parts.hostname == "localhost" else [parts.hostname]
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    last_error = None
    for host in hosts:
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(host, parts.port or 443, timeout=timeout, context=_tls())
        else:
            connection = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host_header or parts.netloc)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        except (ConnectionRefusedError, socket.gaierror, OSError) as error:
            if isinstance(error, (TimeoutError, socket.timeout)):
                raise
            last_error = error
        finally:
            connection.close()
    raise last_error


def open_page(url, limit=5):
    """GETs `url` following redirects (maws's one-time address), like a browser; returns the URL
    of the page they end on."""
    for _ in range(limit):
        status, headers, _ = get(url)
        if status not in (301, 302, 303, 307):
            return url
        url = urllib.parse.urljoin(url, headers["Location"])
    raise RuntimeError(f"too many redirects from {url}")


def sign_in(url, user, action="approve", pick=None, log=None):
    """Returns the body of the last page maws's listener answered with."""
    location = redirect_location(url, user, action)
    status, headers, body = get(location)
    if status == 303:  # maws sends the tab on to its role picker
        return choose(urllib.parse.urljoin(location, headers["Location"]), pick, log)
    return body.decode()


def picker_form(page):
    """The picker page's token and the role ARNs it offers."""
    token = re.search(r'name="token" value="([^"]*)"', page)
    roles = [html.unescape(value) for value in re.findall(r'name="role" value="([^"]*)"', page)]
    return (html.unescape(token.group(1)) if token else None), roles


def choose(url, pick, log=None):
    """Loads the picker at `url` and chooses the role named `pick` (Cancel without one)."""
    status, _, body = get(url, timeout=60)
    page = body.decode()
    token, roles = picker_form(page)
    if token is None:  # a last page: one role only, or an error
        return page
    if pick == "-":
        print("picker:", url, file=log or sys.stderr, flush=True)
        return page
    fields = {"token": token}
    if pick:
        fields["role"] = next(role for role in roles if role.rsplit("/", 1)[-1] == pick)
    else:
        fields["action"] = "cancel"
    status, _, body = post_form(url, fields)
    return body.decode()


def redirect_location(url, user, action="approve"):
    """Signs in at the provider and returns where it redirects the browser, without going there:
    what a person on another machine would copy from the address bar."""
    page = open_page(url)
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=_tls()))
    form = {"action": "deny"} if action == "deny" else {"sub": user}
    request = urllib.request.Request(page, data=urllib.parse.urlencode(form).encode(), method="POST")
    try:
        opener.open(request, timeout=10)
        raise RuntimeError("the provider did not redirect after the form")
    except urllib.error.HTTPError as response:
        if response.code not in (301, 302, 303, 307):
            raise
        return response.headers["Location"]


def main():
    log_path = os.environ.get("MAWS_TEST_UA_LOG")
    log = open(log_path, "a") if log_path else sys.stderr
    print("user agent started", file=log, flush=True)  # helpers.Maws.run waits for the matching end
    if os.environ.get("MAWS_TEST_UA_ARGV"):
        with open(os.environ["MAWS_TEST_UA_ARGV"], "a") as record:
            record.write(" ".join(sys.argv[1:]) + "\n")
    try:
        page = sign_in(sys.argv[1], os.environ.get("MAWS_TEST_USER", "alice"), os.environ.get("MAWS_TEST_ACTION", "approve"),
                       os.environ.get("MAWS_TEST_PICK"), log)
        print("signed in:", "Signed in" in page or "Role assumed" in page, file=log)
    except Exception as error:  # noqa: BLE001 - the log is the only place this can go
        print("user agent failed:", repr(error), file=log)
        sys.exit(1)


if __name__ == "__main__":
    main()
