"""The role picker in the browser tab the sign-in ends in: over HTTP with the scripted user agent
(the choice, Cancel, the token and Host checks), and in a real Chromium driven by Selenium (the
page as a person sees it: grouping, escaping, filter, keyboard, dark mode, a phone-sized window)."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers import exports_of
from maws_stack.useragent import get, picker_form, post_form

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(os.environ.get("MAWS_TEST_OUTPUT", Path(__file__).resolve().parents[2] / ".build" / "test-output"))


def picker_url(maws, timeout=30):
    """The picker's address, once the scripted user agent (MAWS_TEST_PICK=-) has loaded it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if maws.ua_log.exists():
            found = re.search(r"^picker: (\S+)$", maws.ua_log.read_text(), re.MULTILINE)
            if found:
                return found.group(1)
        time.sleep(0.05)
    raise AssertionError("the user agent never reached the picker: " + (maws.ua_log.read_text() if maws.ua_log.exists() else ""))


@contextlib.contextmanager
def roles_api_file(stack, name, change):
    """The stack's roles API with `change` applied to its map file `name` for the block (the API
    reloads its maps when their files change)."""
    path = stack.roles_dir / name
    original = path.read_text()
    document = json.loads(original)
    change(document)
    path.write_text(json.dumps(document))
    os.utime(path, (time.time() + 2, time.time() + 2))
    try:
        yield document
    finally:
        path.write_text(original)
        os.utime(path, (time.time() + 4, time.time() + 4))


def start(maws, *args, env=None):
    return subprocess.Popen([maws.binary, "-c", str(maws.config), *args], env=maws.env("alice", **(env or {})),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def test_by_default_the_role_is_chosen_in_the_sign_in_tab(maws):
    result = maws.run(user="alice", env={"MAWS_TEST_PICK": "ReadOnly"})
    assert result.returncode == 0, result.stderr
    assert "choose a role in your browser" in result.stderr
    assert exports_of(result.stdout)["MAWS_PROMPT"] == "maws-demo-ReadOnly"
    assert "signed in: True" in maws.ua_log.read_text()


def test_cancel_on_the_page_stops_maws(maws):
    result = maws.run(user="alice")  # the user agent presses Cancel without MAWS_TEST_PICK
    assert result.returncode == 1
    assert "no role chosen" in result.stderr
    assert result.stdout == ""


def test_only_this_tabs_token_and_a_listed_role_are_accepted(maws, stack):
    process = start(maws, env={"MAWS_TEST_PICK": "-"})
    try:
        url = picker_url(maws)
        status, headers, body = get(url)
        assert status == 200
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)
        assert "unsafe-inline" not in policy
        token, roles = picker_form(body.decode())
        assert token and stack.role_arn("Admin") in roles and stack.role_arn("ReadOnly") in roles
        # Another origin's page cannot know the token; a guessed one is refused and maws waits on.
        assert post_form(url, {"token": "guess", "role": stack.role_arn("Admin")})[0] == 403
        # A host name rebound to 127.0.0.1 cannot read the page (nor its token) or post to it.
        port = url.split(":")[2].split("/")[0]
        assert get(url.replace("127.0.0.1", "localhost"))[0] == 200
        status, _, body = post_form(url, {"token": token, "role": stack.role_arn("Admin")}, host=f"evil.example:{port}")
        assert status == 421
        # A role the page did not offer is not assumed.
        assert post_form(url, {"token": token, "role": "arn:aws:iam::123456789012:role/NotListed"})[0] == 400
        assert process.poll() is None
        status, _, body = post_form(url, {"token": token, "role": stack.role_arn("Admin")})
        assert status == 200 and "Role assumed" in body.decode() and stack.role_arn("Admin") in body.decode()
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert exports_of(stdout)["MAWS_PROMPT"] == "maws-demo-Admin"


def test_an_error_after_the_choice_is_shown_on_the_page(maws, stack):
    # The roles API lists Billing for everyone, but Billing's trust policy wants finance-* groups.
    def list_billing(document):
        document.setdefault("everyone", []).append(stack.role_arn("Billing"))
    with roles_api_file(stack, "group-role-map.json", list_billing), contextlib.ExitStack() as cleanup:
        process = start(maws, "--no-cache", env={"MAWS_TEST_PICK": "-"})
        cleanup.callback(lambda: process.poll() is None and process.kill())
        url = picker_url(maws)
        token, roles = picker_form(get(url)[2].decode())
        assert stack.role_arn("Billing") in roles
        status, _, body = post_form(url, {"token": token, "role": stack.role_arn("Billing")})
        _, stderr = process.communicate(timeout=30)
    assert status == 200 and "maws could not get credentials" in body.decode()
    assert "Not authorized to perform sts:AssumeRoleWithWebIdentity" in body.decode()
    assert process.returncode == 1
    assert "Not authorized" in stderr


def test_picker_terminal_and_batch_never_send_the_tab_on(maws, stack):
    result = maws.run("-b", "-r", stack.role_arn("Admin"), user="alice")
    assert result.returncode == 0, result.stderr
    assert "choose a role in your browser" not in result.stderr
    assert "signed in: True" in maws.ua_log.read_text()


def test_role_picker_in_the_config_must_be_web_or_terminal(maws):
    maws.write_config(role_picker="tab")
    result = maws.run(user="alice")
    assert result.returncode == 2
    assert "role_picker" in result.stderr and "use web or terminal" in result.stderr


@pytest.fixture
def chromium(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium and chromium-driver are not installed (Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1024,900",
                     f"--user-data-dir={tmp_path / 'chromium'}", "--no-first-run"):
        options.add_argument(argument)
    # The IdP's certificate comes from the run's own CA; what is under test here is maws's page.
    options.accept_insecure_certs = True
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def hostile_alias(stack):
    """The roles API names the account `<script>…` for the test's length."""
    hostile = '<script>document.title="owned"</script>"\'&amp;'
    with roles_api_file(stack, "account-aliases.json", lambda document: document.update({"123456789012": [hostile]})):
        yield hostile


def test_the_picker_in_chromium(maws, stack, chromium, hostile_alias, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    # $BROWSER hands the one-time address to the test, which opens it in Chromium.
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" > "{opened}"\n')
    browser.chmod(0o755)
    process = start(maws, "--no-cache", env={"BROWSER": str(browser)})
    wait = WebDriverWait(chromium, 30)
    try:
        deadline = time.time() + 30
        while not opened.exists() and time.time() < deadline:
            time.sleep(0.05)
        chromium.get(opened.read_text().strip())
        # The test IdP's sign-in form.
        subject = wait.until(expected_conditions.presence_of_element_located((By.NAME, "sub")))
        subject.send_keys("alice")
        subject.submit()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "filter")))

        assert chromium.title == "maws: Choose a role"
        headings = [heading.text for heading in chromium.find_elements(By.CSS_SELECTOR, "section.account h2")]
        # The alias is text: no script ran (the title is intact) and every character shows.
        assert headings == [f"{hostile_alias} (123456789012)"]
        assert chromium.execute_script("return document.querySelectorAll('main script').length") == 0
        names = [button.text for button in chromium.find_elements(By.CSS_SELECTOR, "button.role")]
        assert names == ["Admin", "ReadOnly"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        chromium.save_screenshot(str(SCREENSHOTS / "web-picker.png"))

        # Dark mode and a phone-sized window.
        chromium.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        background = chromium.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(23, 23, 28)"
        chromium.set_window_size(390, 844)
        width = chromium.execute_script("return document.documentElement.scrollWidth")
        assert width <= chromium.execute_script("return window.innerWidth")
        chromium.save_screenshot(str(SCREENSHOTS / "web-picker-phone-dark.png"))

        # The filter narrows; the arrow keys move; Enter chooses.
        search = chromium.find_element(By.ID, "filter")
        assert chromium.switch_to.active_element == search
        search.send_keys("read")
        visible = [button.text for button in chromium.find_elements(By.CSS_SELECTOR, "button.role") if button.is_displayed()]
        assert visible == ["ReadOnly"]
        search.send_keys(Keys.BACKSPACE * 4, "zzz")
        assert chromium.find_element(By.ID, "none").is_displayed()
        search.send_keys(Keys.BACKSPACE * 3)
        search.send_keys(Keys.ARROW_DOWN)
        assert chromium.switch_to.active_element.text == "Admin"
        chromium.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        assert chromium.switch_to.active_element.text == "ReadOnly"
        chromium.switch_to.active_element.send_keys(Keys.ENTER)

        wait.until(expected_conditions.title_is("maws: Role assumed"))
        assert stack.role_arn("ReadOnly") in chromium.find_element(By.TAG_NAME, "main").text
        chromium.save_screenshot(str(SCREENSHOTS / "web-picker-assumed.png"))
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert exports_of(stdout)["MAWS_PROMPT"].endswith("-ReadOnly")
