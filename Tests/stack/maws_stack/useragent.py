"""A scripted user agent: what a person does in the browser, for tests and the unattended demo.

Used as $BROWSER: `python -m maws_stack.useragent URL`. It opens the authorization URL, submits
the provider's form as MAWS_TEST_USER (or presses Deny when MAWS_TEST_ACTION=deny), and follows
the redirect to maws's loopback listener, as a browser would. MAWS_TEST_UA_LOG names a file for
its log (maws discards a browser's output).
"""

import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(url, user, action="approve"):
    """Returns the body of the page maws's listener answered with."""
    location = redirect_location(url, user, action)
    with urllib.request.urlopen(location, timeout=10) as final:
        return final.read().decode()


def redirect_location(url, user, action="approve"):
    """Signs in at the provider and returns where it redirects the browser, without going there:
    what a person on another machine would copy from the address bar."""
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(url, timeout=10) as page:
        page.read()
    form = {"action": "deny"} if action == "deny" else {"sub": user}
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST")
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
    try:
        page = sign_in(sys.argv[1], os.environ.get("MAWS_TEST_USER", "alice"), os.environ.get("MAWS_TEST_ACTION", "approve"))
        print("signed in:", "Signed in" in page, file=log)
    except Exception as error:  # noqa: BLE001 - the log is the only place this can go
        print("user agent failed:", repr(error), file=log)
        sys.exit(1)


if __name__ == "__main__":
    main()
