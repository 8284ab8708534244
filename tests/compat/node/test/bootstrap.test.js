// What the apps call before anyone logs in: ping, client config and license, through
// Client4 without a token.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClient, rawFetch } from './support.js';

test('system/ping answers OK without a session', async () => {
    const anon = newClient();
    const pong = await anon.ping();
    assert.equal(typeof pong, 'object', 'Client4 parses the body only for Content-Type: application/json');
    assert.equal(pong.status, 'OK');

    const r = await rawFetch('/api/v4/system/ping');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    const version = r.headers.get('x-version-id');
    assert.match(version, /^\d+\.\d+\.\d+\./);
    assert.equal(r.headers.get('cache-control'), null, 'Client4 ignores X-Version-Id when Cache-Control is present');
    assert.equal(anon.serverVersion, version, 'Client4 records the server version from X-Version-Id');
});

test('config/client?format=old is a map of strings with a recent Version', async () => {
    const anon = newClient();
    const config = await anon.getClientConfig();
    assert.equal(typeof config, 'object');
    for (const [key, value] of Object.entries(config)) {
        assert.equal(typeof value, 'string', `${key} should be a string`);
    }
    const [major, minor] = config.Version.split('.').map(Number);
    assert.ok(major > 9 || (major === 9 && minor >= 11), `Version ${config.Version} must be at least 9.11 for the mobile app`);
    assert.equal(config.EnableSignInWithUsername, 'true');
    assert.ok(Number(config.MaxFileSize) > 0);
});

test('license/client?format=old says unlicensed, as strings', async () => {
    const anon = newClient();
    const license = await anon.getClientLicenseOld();
    assert.equal(license.IsLicensed, 'false');
    for (const value of Object.values(license)) {
        assert.equal(typeof value, 'string');
    }
});

test('an unauthenticated read fails with the AppError shape', async () => {
    const anon = newClient();
    await assert.rejects(anon.getMe(), (err) => {
        assert.equal(err.status_code, 401);
        assert.equal(err.server_error_id, 'api.context.session_expired.app_error');
        return true;
    });
});
