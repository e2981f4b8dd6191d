"""The console end to end in a real headless Chromium (Debian's chromium and chromedriver).

Signs in, works three review items (approve, reject, link to a searched contact) and sees
the contact pages change; opens a contact whose conversation spans three channels and sees
one thread; is refused every page signed out and a forged CSRF token; and checks that a
CRM card request with a wrong HubSpot signature or an old timestamp is refused. Screenshots
of each page go to ``$CRMBRIDGE_SCREENSHOTS`` (default: the test's temporary folder).
Under ``CI=true`` a missing browser fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from tests.console.conftest import PASSWORD, make_site, review_ids
from tests.console.test_console_http import CARD, hubspot_headers

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")


def require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, DRIVER) if not p.exists()]
    if missing:
        message = (
            f"headless Chromium needs {', '.join(missing)} (apt-get install chromium "
            "chromium-driver; .ci/run does it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory, password_hash):
    from crmbridge.console import mount

    require_browser()
    with pytest.MonkeyPatch.context() as patch:
        config = make_site(tmp_path_factory.mktemp("site"), password_hash, patch)
    app = mount(config, None)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", review_ids(config)
    httpd.shutdown()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("CRMBRIDGE_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser():
    require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--disable-extensions",
        "--no-first-run",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def sign_in(browser, server: str, name: str = "ana") -> None:
    browser.get(f"{server}/console/signin")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "signin").click()
    WebDriverWait(browser, 10).until(lambda b: "/console/signin" not in b.current_url)


def notice(browser, text: str) -> bool:
    """Wait for the next page's notice (the old page may still be showing its own)."""
    wait = WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(lambda b: any(text in e.text for e in b.find_elements(By.ID, "done")))


def messages_on(browser, server: str, contact_id: str) -> set[str]:
    browser.get(f"{server}/console/contacts/{contact_id}")
    return {
        e.get_attribute("data-key") for e in browser.find_elements(By.CSS_SELECTOR, "article.msg")
    }


def test_a_reviewer_works_three_items_and_sees_the_contact_pages_change(server, browser, shots):
    url, ids = server
    hannah, lucy, amy = (
        ids[p]
        for p in (
            "reddit:t2_4977o6o0",
            "facebook:5550892011297432",
            "youtube:UC61398b30fba6ca09413312",
        )
    )
    sign_in(browser, url)
    before = {c: messages_on(browser, url, c) for c in ("C000021", "C000025", "C000004")}
    browser.get(f"{url}/console/review")
    waiting = len(ids)
    assert f"{waiting} of {waiting} waiting" in browser.find_element(By.ID, "count").text
    order = [e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, "section.item")]
    assert order[:2] == [f"review-{amy}", f"review-{hannah}"]  # 4, then 3 messages waiting
    browser.save_screenshot(str(shots / "review-queue.png"))

    browser.find_element(By.ID, f"approve-{hannah}-C000021").click()  # approve
    assert notice(browser, f"approved #{hannah} to C000021")
    browser.find_element(By.ID, f"reject-{lucy}").click()  # reject: Lucy stays unlinked
    assert notice(browser, f"rejected #{lucy}")
    assert not browser.find_elements(By.ID, f"review-{hannah}")
    assert not browser.find_elements(By.ID, f"review-{lucy}")

    browser.find_element(By.ID, f"other-{amy}").click()  # link Amy to a searched contact
    browser.find_element(By.ID, "q").send_keys("aoife byrne")
    browser.find_element(By.ID, "search").click()
    browser.save_screenshot(str(shots / "search.png"))
    browser.find_element(By.ID, "link-C000004").click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/contacts/C000004"))

    after = {c: messages_on(browser, url, c) for c in before}
    gained = {c: after[c] - before[c] for c in before}
    assert len(gained["C000021"]) == 3 and all(k.startswith("reddit:") for k in gained["C000021"])
    assert after["C000025"] == before["C000025"]  # rejected: nothing moved
    assert len(gained["C000004"]) == 4 and all(k.startswith("youtube:") for k in gained["C000004"])
    browser.get(f"{url}/console/review")
    left = waiting - 3
    assert f"{left} of {left} waiting" in browser.find_element(By.ID, "count").text


def test_a_conversation_across_three_channels_shows_as_one_thread(server, browser, shots):
    server, _ = server
    sign_in(browser, server, "sam")
    browser.get(f"{server}/console/contacts/C000007")
    assert browser.find_element(By.ID, "contact-name").text.startswith("Maya Okafor")
    threads = browser.find_elements(By.CSS_SELECTOR, "section.thread")
    assert len(threads) == 1
    heading = threads[0].find_element(By.TAG_NAME, "h3").text
    assert "x → facebook → instagram" in heading
    channels = {e.text for e in threads[0].find_elements(By.CSS_SELECTOR, "article.msg .meta .tag")}
    assert {"x", "facebook", "instagram", "DM", "public"} <= channels
    browser.save_screenshot(str(shots / "contact.png"))
    for page in ("report", "search"):
        browser.get(f"{server}/console/{page}")
        browser.save_screenshot(str(shots / f"{page}.png"))


def test_every_page_is_refused_signed_out_and_a_forged_csrf_token_too(server, browser, shots):
    server, _ = server
    for path in ("review", "contacts/C000007", "search?q=maya", "report", "failures"):
        browser.get(f"{server}/console/{path}")
        assert "/console/signin" in browser.current_url, path
        assert "Okafor" not in browser.page_source
    browser.save_screenshot(str(shots / "signin.png"))
    sign_in(browser, server, "root")
    browser.get(f"{server}/console/failures")
    browser.save_screenshot(str(shots / "failures.png"))
    browser.get(f"{server}/console/review")
    form = browser.find_elements(By.CSS_SELECTOR, "form[action$='/reject']")[0]
    browser.execute_script(
        "arguments[0].querySelector('input[name=csrf]').value = 'forged-token'", form
    )
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "error"))
    assert "CSRF" in browser.find_element(By.ID, "error").text
    browser.get(f"{server}/console/signout")  # a GET cannot sign out: still signed in
    browser.get(f"{server}/console/review")
    assert "/console/review" in browser.current_url


def test_a_crm_card_request_with_a_wrong_signature_or_an_old_timestamp_is_refused(server):
    server, _ = server
    url = server + CARD
    good = requests.get(url, headers=hubspot_headers(url), timeout=10)
    assert good.status_code == 200 and good.json()["summary"]["contact_id"] == "C000007"
    old = requests.get(url, headers=hubspot_headers(url, age_s=301), timeout=10)
    assert old.status_code == 401 and "5 minutes" in old.json()["error"]
    headers = hubspot_headers(url)
    headers["X-HubSpot-Signature-v3"] = headers["X-HubSpot-Signature-v3"][::-1]
    wrong = requests.get(url, headers=headers, timeout=10)
    assert wrong.status_code == 401 and "does not match" in wrong.json()["error"]
