// A small sequential test runner for the browser suite: a real `conclave` server on a free
// port with a fresh data directory, Debian's Chromium through playwright-core, screenshots
// into reports/screenshots. No mocks: every request goes to the real server.
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../..');
export const shots = join(repo, 'reports', 'screenshots');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'];

function freePort() {
    return new Promise((res, rej) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
            const {port} = s.address();
            s.close(() => res(port));
        });
        s.on('error', rej);
    });
}

export async function startServer() {
    if (process.env.CONCLAVE_URL) {
        return {url: process.env.CONCLAVE_URL.replace(/\/$/, ''), stop: async () => {}};
    }
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'conclave-e2e-'));
    const bin = process.env.CONCLAVE_BIN || join(repo, 'target', 'debug', 'conclave');
    const child = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {stdio: ['ignore', 'ignore', 'pipe'], cwd: repo});
    let log = '';
    child.stderr.on('data', (d) => {
        log = (log + d).slice(-20000);
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30000;
    for (;;) {
        try {
            const r = await fetch(`${url}/api/v4/system/ping`);
            if (r.ok) {
                break;
            }
        } catch {
            // Not listening yet.
        }
        if (Date.now() > deadline || child.exitCode !== null) {
            throw new Error(`server did not start:\n${log}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        url,
        log: () => log,
        stop: async () => {
            child.kill('SIGTERM');
            await new Promise((r) => child.once('exit', r));
            rmSync(dataDir, {recursive: true, force: true});
        },
    };
}

export async function launch() {
    return chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS});
}

const tests = [];
export function test(name, fn) {
    tests.push({name, fn});
}

export async function run(ctx) {
    mkdirSync(shots, {recursive: true});
    let passed = 0;
    let failed = 0;
    const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
    for (const t of tests) {
        if (only && !only.test(t.name)) {
            continue;
        }
        const start = Date.now();
        try {
            await t.fn(ctx);
            passed++;
            console.log(`  ok   ${t.name} (${Date.now() - start} ms)`);
        } catch (e) {
            failed++;
            console.log(`  FAIL ${t.name} (${Date.now() - start} ms)\n       ${String(e?.stack || e).split('\n').slice(0, 6).join('\n       ')}`);
            for (const [name, page] of Object.entries(ctx.pages ?? {})) {
                await page.screenshot({path: join(shots, `failure-${t.name.replace(/\W+/g, '-')}-${name}.png`)}).catch(() => {});
            }
            if (process.env.E2E_BAIL) {
                break;
            }
        }
    }
    return {passed, failed};
}

export function assert(cond, msg) {
    if (!cond) {
        throw new Error(`assertion failed: ${msg}`);
    }
}

/** Logs in over the REST API from Node (setup for the XSS corpus), returning a fetch helper. */
export async function apiSession(url, loginId, password) {
    const r = await fetch(`${url}/api/v4/users/login`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({login_id: loginId, password})});
    if (r.status !== 200) {
        throw new Error(`login ${loginId}: ${r.status} ${await r.text()}`);
    }
    const token = r.headers.get('token');
    const user = await r.json();
    const call = async (method, path, body) => {
        const isForm = body instanceof FormData;
        let res;
        // The setup posts hundreds of payloads at once: like a well-behaved client, wait out
        // the per-user rate limit (429 with Retry-After) instead of failing on it.
        for (let attempt = 0; ; attempt++) {
            res = await fetch(`${url}/api/v4${path}`, {
                method,
                headers: {authorization: `Bearer ${token}`, ...(body && !isForm ? {'content-type': 'application/json'} : {})},
                body: body ? (isForm ? body : JSON.stringify(body)) : undefined,
            });
            if (res.status !== 429 || attempt >= 30) {
                break;
            }
            await res.text();
            const wait = Number(res.headers.get('retry-after')) || 1;
            await new Promise((done) => setTimeout(done, wait * 1000));
        }
        const text = await res.text();
        let data;
        try {
            data = JSON.parse(text);
        } catch {
            data = text;
        }
        if (!res.ok) {
            throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
        }
        return data;
    };
    return {token, user, call};
}
