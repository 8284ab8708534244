// Shared set-up for the suite: where the server is, fresh Client4 instances, unique names,
// and a WebSocketClient wired to the `ws` package (Node 20 has no global WebSocket).

import { randomBytes } from 'node:crypto';
import mm from '@mattermost/client';
import { WebSocket as NodeWebSocket } from 'ws';

export const { Client4, WebSocketClient, ClientError } = mm;

/** The server under test, e.g. http://127.0.0.1:18065 (set by scripts/stages/compat). */
export const SERVER_URL = (process.env.COMPAT_SERVER_URL || '').replace(/\/$/, '');
if (!SERVER_URL) {
    throw new Error('COMPAT_SERVER_URL is not set: run this suite through scripts/stages/compat');
}

/** Passwords must be at least 12 characters on Conclave. */
export const PASSWORD = 'correct horse battery staple';

/** A short random suffix so the suite can run twice against one server. */
export const RUN = randomBytes(3).toString('hex');

export function newClient(token = '') {
    const c = new Client4();
    c.setUrl(SERVER_URL);
    if (token) {
        c.setToken(token);
    }
    return c;
}

// WebSocketClient reads `WebSocket.OPEN` and constructs `CloseEvent` from the global scope;
// Node 20 defines neither. The socket itself comes from `ws` through `newWebSocketFn`.
globalThis.WebSocket ??= NodeWebSocket;
globalThis.CloseEvent ??= class CloseEvent extends Event {
    constructor(type, init = {}) {
        super(type);
        this.code = init.code ?? 0;
        this.reason = init.reason ?? '';
        this.wasClean = init.wasClean ?? false;
    }
};

/**
 * Opens Mattermost's own WebSocketClient for `token`. Besides the client's own listeners it
 * records every raw frame the server sent (before the client's sequence check), so a test can
 * assert on the exact numbering, and every close code.
 */
export function openSocket(token) {
    const raw = [];
    const events = [];
    const closes = [];
    const wsUrl = `${SERVER_URL.replace(/^http/, 'ws')}/api/v4/websocket`;
    const client = new WebSocketClient({
        newWebSocketFn: (url) => {
            const sock = new NodeWebSocket(url);
            sock.addEventListener('message', (evt) => raw.push(JSON.parse(evt.data)));
            sock.addEventListener('close', (evt) => closes.push(evt.code));
            return sock;
        },
        // Keep reconnects out of the way: a reconnect would be a failure here anyway.
        minWebSocketRetryTime: 60000,
    });
    client.addMessageListener((msg) => events.push(msg));
    client.addCloseListener(() => closes.push('client-close'));
    client.initialize(wsUrl, token);
    return { client, raw, events, closes };
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function waitFor(what, check, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
        const v = check();
        if (v) {
            return v;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 25));
    }
}

/** A raw fetch with a bearer token, for checks Client4 hides (headers, bytes). */
export function rawFetch(path, token, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (token) {
        headers.Authorization = `Bearer ${token}`;
    }
    return fetch(`${SERVER_URL}${path}`, { ...init, headers });
}
