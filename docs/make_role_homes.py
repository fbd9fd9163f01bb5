"""Screenshots of every demo role's home page (工作台), on a desktop and on a phone, for docs/roles.

Run against a demo (`make run`), with the demo's TOTP secrets for the two roles that need a second
factor (printed by `gaizao demo`):

    GAIZAO_DEMO_TOTP="commander=BASE32SECRET,admin=BASE32SECRET" \\
        .venv/bin/python docs/make_role_homes.py [http://127.0.0.1:8000]

Writes docs/images/home-<role>.png and home-<role>-phone.png.
"""

import base64
import hashlib
import hmac
import os
import struct
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "images"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
# role → (demo user name, password); the passwords are the demo's (README, docs/roles).
ROLES = {
    "street": ("street01", "Yunxi#Jiedao2026"),
    "cadre": ("cadre0101", "Yunxi#Baohu2026"),
    "leader": ("leader", "Yunxi#Lingdao2026"),
    "commander": ("commander", "Yunxi#Zhihui2026"),
    "resident": ("resident", "Yunxi#Jumin2026"),
    "department": ("dept_zjj", "Yunxi#Bumen2026"),
    "security": ("security", "Yunxi#Anquan2026"),
    "auditor": ("auditor", "Yunxi#Shenji2026"),
}


def totp_now(secret: str) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def login(page, username: str, password: str, secrets: dict[str, str]) -> bool:
    page.goto(f"{BASE}/account/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/account/otp/" in page.url:
        if username not in secrets:
            return False
        page.get_by_label("动态口令").fill(totp_now(secrets[username]))
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()
    return "/account/" not in page.url


def main() -> None:
    secrets = dict(item.split("=", 1) for item in os.environ.get("GAIZAO_DEMO_TOTP", "").split(",") if "=" in item)
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for role, (username, password) in ROLES.items():
            for suffix, viewport, mobile in (("", {"width": 1280, "height": 800}, False),
                                             ("-phone", {"width": 390, "height": 844}, True)):
                context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=mobile, has_touch=mobile)
                page = context.new_page()
                if login(page, username, password, secrets):
                    page.goto(f"{BASE}/")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=OUT / f"home-{role}{suffix}.png", full_page=not mobile)
                else:
                    print(f"{role}: could not sign in as {username} (second factor secret missing?)")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
