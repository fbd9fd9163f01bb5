"""Take the screenshots in README and docs/ from a running demo (`make run`).

    .venv/bin/python docs/make_screenshots.py [http://127.0.0.1:8000]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "images"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]


def login(page, username: str, password: str) -> None:
    page.goto(f"{BASE}/account/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
        page.goto(f"{BASE}/account/login/")
        page.screenshot(path=OUT / "login.png")
        login(page, "street01", "Yunxi#Jiedao2026")
        page.screenshot(path=OUT / "home-street.png", full_page=True)
        page.goto(f"{BASE}/ledger/households/")
        page.screenshot(path=OUT / "households-street.png")
        page.locator("table tbody tr a").first.click()
        page.wait_for_load_state()
        page.screenshot(path=OUT / "household-detail.png", full_page=True)
        page.goto(f"{BASE}/ledger/villages/")
        page.screenshot(path=OUT / "villages-street.png", full_page=True)
        page.goto(f"{BASE}/progress/hardcases/")
        page.screenshot(path=OUT / "hardcases-street.png")
        leader = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
        login(leader, "leader", "Yunxi#Lingdao2026")
        leader.goto(f"{BASE}/progress/")
        leader.wait_for_timeout(1500)  # the charts and the map animate in
        leader.screenshot(path=OUT / "dashboard-demo.png", full_page=True)
        leader.goto(f"{BASE}/progress/table/")
        leader.screenshot(path=OUT / "progress-table-page.png")
        phone = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
        login(phone, "street01", "Yunxi#Jiedao2026")
        phone.goto(f"{BASE}/ledger/households/")
        phone.screenshot(path=OUT / "households-mobile.png")
        browser.close()


if __name__ == "__main__":
    main()
