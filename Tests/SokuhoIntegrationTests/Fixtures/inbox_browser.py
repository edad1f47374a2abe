#!/usr/bin/env python3
"""The city's inbox in headless Chromium, driven by Selenium (CityBrowserTests runs it).

Logs in through the form, sees the list, opens a case, issues an instruction through the form,
checks that a POST with the browser's session but without the CSRF token is refused (403), logs
out, and saves screenshots of the list and of the case page. Prints one line per step; exits 1
with the reason on the first failure.

Usage: inbox_browser.py BASE_URL USER PASSWORD CONTRACTOR CASE_ID INSTRUCTION OUT_DIR
"""
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def fail(message):
    print("FAILED: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok: " + message, flush=True)


def screenshot(driver, path):
    """The whole page: the window as tall as the document."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(700, min(height + 40, 4000)))
    driver.save_screenshot(path)
    driver.set_window_size(1400, 900)


def follow(driver, element):
    """Clicks and waits until the browser has loaded the page that follows (a click returns
    before the navigation ends; a login's bcrypt check takes a moment, more under load)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


def main():
    base, user, password, contractor, case_id, instruction, out = sys.argv[1:8]
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900",
              "--lang=ja"):
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(base + "/?lang=ja")
        check(driver.current_url.startswith(base + "/login"), "not logged in: the login page")
        driver.find_element(By.NAME, "name").send_keys(user)
        driver.find_element(By.NAME, "password").send_keys(password)
        follow(driver, driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
        check(driver.current_url == base + "/?lang=ja", "logged in: the list (" + driver.current_url + ")")
        check(case_id in driver.find_element(By.CSS_SELECTOR, "table.cases").text, "the case is in the list")
        cookies = {c["name"]: c for c in driver.get_cookies()}
        session = cookies.get("sokuho_city_session")
        check(session is not None and session.get("httpOnly") and session.get("sameSite") == "Strict",
              "the session cookie is HttpOnly and SameSite=Strict")
        screenshot(driver, out + "/city-list.png")

        path = "/case/%s/%s" % (contractor, case_id)
        follow(driver, driver.find_element(By.CSS_SELECTOR, "table.cases a[href^='%s']" % path))
        heading = driver.find_element(By.TAG_NAME, "h1").text
        check(case_id in heading and contractor in heading, "the case page of %s %s" % (contractor, case_id))
        form = driver.find_element(By.CSS_SELECTOR, "form.issue")
        form.find_element(By.NAME, "text").send_keys(instruction)
        form.find_element(By.NAME, "from").send_keys("情報政策課")
        follow(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        check(driver.current_url == base + path + "?lang=ja",
              "back on the case page after the form (%s: %s)" % (driver.current_url, driver.find_element(By.TAG_NAME, "body").text[:300]))
        check(instruction in driver.find_element(By.CSS_SELECTOR, "table.instructions").text,
              "the instruction is on the case page")
        screenshot(driver, out + "/city-case.png")

        # The browser's own session, without the CSRF token: refused.
        request = urllib.request.Request(
            base + path + "/instruct", data=urllib.parse.urlencode({"text": "forged"}).encode(),
            headers={"Cookie": "sokuho_city_session=" + session["value"]}, method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            fail("a POST without the CSRF token was accepted")
        except urllib.error.HTTPError as e:
            check(e.code == 403, "a POST without the CSRF token is refused with 403 (got %d)" % e.code)

        follow(driver, driver.find_element(By.CSS_SELECTOR, "form.logout button"))
        check(driver.current_url.startswith(base + "/login"), "logged out: the login page")
        driver.get(base + "/")
        check(driver.current_url.startswith(base + "/login"), "after logout the list needs a login again")
        print("DONE", flush=True)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
