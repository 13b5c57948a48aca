"""Screenshots of the dashboard's main pages; run by scripts/take-screenshots against demo data."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(base_url: str, username: str, password: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base_url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/")
        page.screenshot(path=out / "job-list.png")

        page.goto(f"{base_url}/?state=Failed&tag=PicProcess")
        page.locator("#job-rows a").first.click()
        page.screenshot(path=out / "failed-job.png", full_page=True)

        page.goto(f"{base_url}/?state=Success&tag=PicProcess")
        page.locator("#job-rows a").first.click()
        page.screenshot(path=out / "image-job.png", full_page=True)

        page.goto(f"{base_url}/stats/")
        page.screenshot(path=out / "stats.png", full_page=True)

        page.goto(f"{base_url}/failed/")
        page.screenshot(path=out / "failed-jobs.png", full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{base_url}/")
        phone.screenshot(path=out / "job-list-phone.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]))
