"""Shared set-up: where the server is, drivers for new users, and a WebSocket listener that runs
mattermostdriver's own event loop in a background thread."""

import asyncio
import json
import os
import secrets
import threading
import time
from urllib.parse import urlparse

import pytest
from mattermostdriver import Driver

SERVER_URL = os.environ.get("COMPAT_SERVER_URL", "").rstrip("/")
PASSWORD = "correct horse battery staple"
# A random suffix so the suite can run twice against one server.
RUN = secrets.token_hex(3)


def driver_options(**extra):
    if not SERVER_URL:
        raise RuntimeError("COMPAT_SERVER_URL is not set: run this suite through scripts/stages/compat")
    u = urlparse(SERVER_URL)
    options = {"url": u.hostname, "port": u.port, "scheme": u.scheme, "basepath": "/api/v4", "verify": False, "timeout": 10}
    options.update(extra)
    return options


def new_driver(**extra):
    return Driver(driver_options(**extra))


def sign_up_and_login(username):
    """Creates the account with an anonymous driver, then logs in with password."""
    created = new_driver().users.create_user(options={"username": username, "email": f"{username}@example.org", "password": PASSWORD})
    assert created["username"] == username
    d = new_driver(login_id=username, password=PASSWORD)
    me = d.login()
    assert me["id"] == created["id"]
    assert len(d.client.token) == 26, "login() takes the token from the Token header of a 200"
    return d, me


def wait_for(what, check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.025)


class Listener:
    """Runs `Driver.init_websocket` (which blocks in its own event loop) on a thread and keeps
    every frame the driver hands to the event handler."""

    def __init__(self, token):
        # A short websocket timeout only makes the driver's loop notice `disconnect()` sooner.
        self.driver = new_driver(token=token, timeout=1)
        self.driver.login()
        self.frames = []
        self.error = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="mm-websocket", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            self.driver.init_websocket(self._on_message)
        except Exception as e:  # noqa: BLE001 - surfaced to the test through `error`
            self.error = e
        finally:
            # The driver leaves its socket's keep-alive task behind; end it with the loop.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _on_message(self, message):
        with self._lock:
            self.frames.append(json.loads(message))

    def events(self):
        with self._lock:
            return [f for f in self.frames if "event" in f]

    def stop(self):
        self.driver.disconnect()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def run_id():
    return RUN
