// Intel in the browser: indicators highlighted defanged in messages with copy actions, the
// channel's indicator panel, the analyst's review page, searching an indicator, channel intel
// settings, feed keys, and a private channel's indicator staying invisible to outsiders.
// Runs after chat.mjs, which signs up alice (system and team admin) and bob (member) in
// "threat-intel" with the channels phishing-watch (public, AMBER) and incident-42 (private, RED).
import {join} from 'node:path';
import {assert, shots, test} from './harness.mjs';

const T = 15000;
const IP = '45.137.21.9';
const IP_DEFANGED = '45[.]137[.]21[.]9';
const URL_VALUE = 'https://kit-delivery-cdn.com/gate.php';
const SECRET_IP = '185.220.101.47';

const shot = (page, name) => page.screenshot({path: join(shots, `${name}.png`)});
const post = (page, text) => page.locator('.messages .post', {hasText: text});

async function openChannel(page, name) {
    await page.click(`.sidebar a[data-channel-name="${name}"]`);
    await page.waitForSelector(`.ch-link.active[data-channel-name="${name}"]`, {timeout: T});
}

async function send(page, text) {
    await page.fill('#composer-input', text);
    await page.press('#composer-input', 'Enter');
}

/** Controls on the page without an accessible name (the same rule as the chat suite's check). */
const UNNAMED = () => {
    const nameOf = (el) => {
        const labelled = el.getAttribute('aria-labelledby');
        if (labelled) {
            return labelled.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
        }
        if (el.getAttribute('aria-label')) {
            return el.getAttribute('aria-label');
        }
        if (el.id && document.querySelector(`label[for="${el.id}"]`)) {
            return 'label';
        }
        if (el.closest('label')) {
            return 'label';
        }
        return (el.textContent || el.getAttribute('title') || el.getAttribute('placeholder') || '').trim();
    };
    return Array.from(document.querySelectorAll('button, a[href], input:not([type=hidden]):not([hidden]), textarea, select, [role=option], [role=menuitem], [role=tab]'))
        .filter((el) => !el.closest('[aria-hidden=true]') && !el.hidden)
        .filter((el) => !nameOf(el)).map((el) => el.outerHTML.slice(0, 120));
};

async function noUnnamed(page, where) {
    const unnamed = await page.evaluate(UNNAMED);
    assert(unnamed.length === 0, `${where}: controls without an accessible name: ${unnamed.join(' | ')}`);
}

async function clipboard(page) {
    return page.evaluate(() => navigator.clipboard.readText());
}

test('intel: a defanged indicator is highlighted defanged, copies its canonical value, and is listed in the channel panel', async (ctx) => {
    const a = ctx.pages.alice;
    await ctx.contexts.alice.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: ctx.url});
    await openChannel(a, 'phishing-watch');
    await openChannel(ctx.pages.bob, 'phishing-watch');
    await send(a, 'C2 beacon to 45.137.21[.]9 from the lure, payload at hxxps://kit-delivery-cdn[.]com/gate.php 😀 `hxxp://in-code-only[.]com/x` stays code');
    const msg = post(a, 'C2 beacon to');
    const ioc = msg.locator(`.ioc[data-ioc-value="${IP}"]`);
    await ioc.waitFor({timeout: T});
    assert((await ioc.locator('.ioc-text').textContent()) === IP_DEFANGED, 'shown defanged');
    assert(await msg.locator(`.ioc[data-ioc-value="${URL_VALUE}"]`).count() === 1, 'the URL is highlighted with its canonical value');
    assert((await msg.locator('.ioc[data-ioc-type="url"] .ioc-text').textContent()) === 'hxxps[://]kit-delivery-cdn[.]com/gate.php', 'URL shown defanged');
    assert((await msg.locator('code').textContent()) === 'hxxp://in-code-only[.]com/x', 'code spans stay verbatim');
    assert(await msg.locator('code .ioc').count() === 0, 'nothing highlighted inside code');
    assert(await msg.locator('.md a').count() === 0, 'indicators are never links');
    // The other member sees the same highlight live.
    await post(ctx.pages.bob, 'C2 beacon to').locator(`.ioc[data-ioc-value="${IP}"]`).waitFor({timeout: T});

    // One click on the copy button: the canonical (refanged) value.
    await msg.hover();
    await ioc.locator('.ioc-copy').click();
    await a.waitForSelector(`.toast:has-text("Copied ${IP}")`, {timeout: T});
    assert((await clipboard(a)) === IP, 'copy button yields the refanged value');
    // The actions menu: keyboard reachable, copies the defanged form too.
    await ioc.locator('.ioc-main').focus();
    await a.keyboard.press('Enter');
    await a.waitForSelector('.ioc-menu [role=menuitem]', {timeout: T});
    // Focus moves once the menu has rendered; allow it a moment, no more.
    const menuFocused = await a.waitForFunction(() => document.activeElement?.getAttribute('role') === 'menuitem', null, {timeout: 2000}).then(() => true, () => false);
    assert(menuFocused, 'menu focuses its first item');
    await shot(a, '14-intel-highlight-menu');
    await a.keyboard.press('ArrowDown');
    await a.keyboard.press('Enter');
    await a.waitForSelector('.ioc-menu', {state: 'detached', timeout: T});
    assert((await clipboard(a)) === IP_DEFANGED, 'copy defanged yields the defanged value');
    const returned = await a.waitForFunction(() => document.activeElement?.classList.contains('ioc-main'), null, {timeout: 2000}).then(() => true, () => false);
    assert(returned, 'focus returns to the highlight');

    // The channel's indicator panel.
    await a.click('.ch-actions button[aria-label="Indicators"]');
    const row = a.locator('aside.rhs .ioc-row', {hasText: IP_DEFANGED});
    await row.waitFor({timeout: T});
    const rowText = await row.textContent();
    // The chat suite's table message carried the address too: two sightings, one channel.
    assert(rowText.includes('Candidate') && rowText.includes('2 sightings') && rowText.includes('1 channel'), `panel row: ${rowText}`);
    await a.locator('aside.rhs .ioc-row', {hasText: 'kit-delivery-cdn[.]com'}).waitFor({timeout: T});
    await noUnnamed(a, 'indicators panel');
    await shot(a, '15-intel-channel-panel');
    await row.click();
    const sighting = a.locator('aside.rhs .sighting', {hasText: '45.137.21[.]9'});
    await sighting.waitFor({timeout: T});
    assert((await sighting.textContent()).includes('Phishing Watch'), 'the sighting names its channel');
    assert((await a.locator('aside.rhs .ioc-big').getAttribute('data-ioc-value')) === IP, 'detail names the canonical value');
    assert(await a.locator('aside.rhs .sighting').count() === 2, 'both readable sightings are listed');
    await shot(a, '16-intel-indicator-detail');
    // Jump from the sighting to its message.
    await sighting.locator('button:has-text("Jump")').click();
    await a.locator('.messages .post.highlight', {hasText: 'C2 beacon to'}).waitFor({timeout: T});
    await a.keyboard.press('Escape');
});

test('intel: an analyst confirms from the review page (status shows at once); non-analysts get an explanation', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    const admin = await ctx.login('alice');
    const team = await admin.call('GET', '/teams/name/threat-intel');
    const bobId = (await admin.call('GET', '/users/username/bob')).id;
    await admin.call('PUT', `/teams/${team.id}/members/${bobId}/roles`, {roles: 'team_user team_analyst'});

    // Alice is an admin but not an analyst: the queue explains instead of failing.
    await a.click('.sidebar a:has-text("Indicators")');
    await a.waitForURL(/\/threat-intel\/intel$/, {timeout: T});
    await a.click('[role=tab]:has-text("Review queue")');
    await a.locator('.explain', {hasText: 'The review queue is for analysts'}).waitFor({timeout: T});
    assert(!(await a.locator('.form-error').count()), 'no error shown to a non-analyst');
    await shot(a, '20-intel-not-analyst');
    await a.click('.explain button:has-text("Browse indicators")');
    await a.locator('.list-pane .ioc-row', {hasText: IP_DEFANGED}).waitFor({timeout: T});

    // Bob picks up his new role on reload.
    await b.reload();
    await b.click('.sidebar a:has-text("Indicator review")');
    await b.waitForURL(/\/threat-intel\/intel/, {timeout: T});
    const row = b.locator('.list-pane .ioc-row', {hasText: IP_DEFANGED});
    await row.waitFor({timeout: T});
    await row.click();
    await b.waitForSelector('#review-title', {timeout: T});
    assert((await b.textContent('#review-title')) === IP_DEFANGED, 'review pane shows the selected indicator');
    // Only the channel's label or stricter is offered.
    const labels = await b.locator('#review-tlp option').allTextContents();
    assert(labels.length === 3 && labels[0].startsWith('TLP:AMBER') && !labels.some((l) => l.includes('GREEN')), `stricter labels only: ${labels}`);
    await b.fill('#review-confidence', '80');
    await b.fill('#review-tags', 'c2, lure');
    await b.selectOption('#review-phase', 'command-and-control');
    await b.selectOption('#review-tlp', 'AMBER+STRICT');
    await b.fill('#review-expiry', '30');
    await noUnnamed(b, 'review page');
    await shot(b, '17-intel-review-queue');
    await b.click('.review-actions button:has-text("Confirm")');
    await b.locator(`.list-pane .ioc-row[data-status="confirmed"]`, {hasText: IP_DEFANGED}).waitFor({timeout: T});
    await b.locator('.list-pane [role=status]', {hasText: `Confirmed: ${IP_DEFANGED}`}).waitFor({state: 'attached', timeout: T});
    // Keyboard flow: the URL is the next candidate; A rejects it and adds it to the allow-list.
    const next = b.locator('.list-pane .ioc-row', {hasText: 'kit-delivery-cdn[.]com'});
    await next.click();
    await b.waitForSelector('#review-title:has-text("kit-delivery-cdn")', {timeout: T});
    await next.focus();
    await b.keyboard.press('a');
    await b.locator('.list-pane .ioc-row[data-status="rejected"]', {hasText: 'kit-delivery-cdn[.]com'}).waitFor({timeout: T});

    const found = await admin.call('GET', `/intel/indicators?q=${IP}&status=confirmed`);
    const ip = found.find((i) => i.value === IP);
    assert(ip && ip.confidence === 80 && ip.tags.join() === 'c2,lure' && ip.kill_chain_phase === 'command-and-control' && ip.tlp_floor === 'AMBER+STRICT',
        `decision stored: ${JSON.stringify(ip)}`);
    const url = (await admin.call('GET', '/intel/indicators?q=kit-delivery-cdn.com')).find((i) => i.type === 'url');
    assert(url.status === 'rejected', `URL rejected: ${url.status}`);

    // Alice's channel panel shows the new status.
    await a.goto(`${ctx.url}/threat-intel/channels/phishing-watch`);
    await a.click('.ch-actions button[aria-label="Indicators"]');
    await a.click('aside.rhs .chip-btn:has-text("Confirmed")');
    await a.locator('aside.rhs .ioc-row[data-status="confirmed"]', {hasText: IP_DEFANGED}).waitFor({timeout: T});
    await a.keyboard.press('Escape');
});

test('intel: searching a defanged indicator finds every readable message carrying it and jumps there', async (ctx) => {
    const a = ctx.pages.alice;
    const bob = await ctx.login('bob');
    const team = await bob.call('GET', '/teams/name/threat-intel');
    const square = await bob.call('GET', `/teams/${team.id}/channels/name/town-square`);
    await bob.call('POST', '/posts', {channel_id: square.id, message: `Also blocked ${IP} at our edge overnight`});
    await a.fill('#search-box', IP_DEFANGED);
    await a.press('#search-box', 'Enter');
    await a.locator('aside.rhs .result', {hasText: 'C2 beacon to'}).waitFor({timeout: T});
    await a.locator('aside.rhs .result', {hasText: 'at our edge overnight'}).waitFor({timeout: T});
    const card = a.locator('aside.rhs .ioc-card');
    await card.waitFor({timeout: T});
    assert((await card.textContent()).includes('Confirmed'), 'the indicator card shows its status');
    assert(await a.locator('aside.rhs .result .ioc').count() >= 2, 'results show the indicator defanged');
    await shot(a, '18-intel-search');
    await a.locator('aside.rhs .result', {hasText: 'at our edge overnight'}).click();
    await a.waitForSelector('.ch-link.active[data-channel-name="town-square"]', {timeout: T});
    await a.locator('.messages .post.highlight', {hasText: 'at our edge overnight'}).waitFor({timeout: T});
    // From a highlight: "Messages with this indicator".
    const hl = post(a, 'at our edge overnight').locator('.ioc-main');
    await hl.click();
    await a.click('.ioc-menu [role=menuitem]:has-text("Messages with this indicator")');
    await a.locator('aside.rhs .result', {hasText: 'C2 beacon to'}).waitFor({timeout: T});
    await a.keyboard.press('Escape');
});

test('intel: a private channel\'s indicator never shows to a non-member in any intel view', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    const admin = await ctx.login('alice');
    const bob = await ctx.login('bob');
    const team = await admin.call('GET', '/teams/name/threat-intel');
    const red = await admin.call('GET', `/teams/${team.id}/channels/name/incident-42`);
    await admin.call('POST', '/posts', {channel_id: red.id, message: `Victim beacon to ${SECRET_IP} and dropper hxxp://stage2-secret-drop[.]com/x.bin`});
    await openChannel(a, 'incident-42');
    await post(a, 'Victim beacon').locator(`.ioc[data-ioc-value="${SECRET_IP}"]`).waitFor({timeout: T});
    const secret = (await admin.call('GET', `/intel/indicators?q=${SECRET_IP}`)).find((i) => i.value === SECRET_IP);
    assert(secret, 'the member sees the private channel\'s indicator');

    // Bob (an analyst of the team, not in the channel): REST first.
    const all = JSON.stringify(await bob.call('GET', '/intel/indicators?per_page=200'));
    assert(!all.includes(SECRET_IP) && !all.includes('stage2-secret-drop'), 'not in the indicator list');
    assert(!JSON.stringify(await bob.call('GET', '/intel/queue')).includes(SECRET_IP), 'not in the review queue');
    for (const path of [`/intel/indicators/${secret.id}`, `/intel/indicators/${secret.id}/posts`, `/channels/${red.id}/indicators`]) {
        const r = await fetch(`${ctx.url}/api/v4${path}`, {headers: {authorization: `Bearer ${bob.token}`}});
        assert(r.status === 404 || r.status === 403, `${path} answers ${r.status}`);
        assert(!(await r.text()).includes(SECRET_IP), `${path} leaks the value`);
    }
    // Then every intel view in his browser.
    await b.goto(`${ctx.url}/threat-intel/intel`);
    await b.waitForSelector('.list-pane .ioc-list, .list-pane .muted.pad:not([role=status])', {timeout: T});
    assert(!(await b.textContent('.list-pane')).includes('185[.]220'), 'not in the queue view');
    await b.click('[role=tab]:has-text("All indicators")');
    await b.fill('.filters input[type=search]', SECRET_IP);
    await b.locator('.list-pane', {hasText: 'No indicators match'}).waitFor({timeout: T});
    await b.goto(`${ctx.url}/threat-intel/intel?id=${secret.id}`);
    await b.locator('.review-pane', {hasText: 'not in any channel you can read'}).waitFor({timeout: T});
    assert(!(await b.textContent('body')).includes('185[.]220'), 'the detail view shows nothing');
    await b.goto(`${ctx.url}/threat-intel/channels/town-square`);
    // Wait for the channel (its composer takes focus when it appears) before typing elsewhere.
    await b.waitForFunction(() => document.activeElement?.id === 'composer-input', null, {timeout: T});
    await b.fill('#search-box', '185.220.101[.]47');
    await b.press('#search-box', 'Enter');
    await b.locator('aside.rhs', {hasText: 'No messages match'}).waitFor({timeout: T});
    assert(!(await b.locator('aside.rhs .ioc-card').count()), 'no indicator card in search');
    await b.keyboard.press('Escape');
});

test('intel: channel admins set capture mode and attribution; members cannot, but still edit the purpose', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await openChannel(a, 'phishing-watch');
    await a.click('.ch-actions button[aria-label="Channel settings"]');
    await a.waitForSelector('[role=dialog]', {timeout: T});
    await a.check('input[name=intel-mode][value=auto-publish]');
    await a.check('#edit-channel-attribution');
    await shot(a, '19-intel-channel-settings');
    await a.click('.modal button[type=submit]');
    await a.waitForSelector('[role=dialog]', {state: 'detached', timeout: T});
    const admin = await ctx.login('alice');
    const team = await admin.call('GET', '/teams/name/threat-intel');
    let ch = await admin.call('GET', `/teams/${team.id}/channels/name/phishing-watch`);
    assert(ch.intel_mode === 'auto-publish' && ch.intel_attribution === true && ch.tlp === 'AMBER', `saved: ${ch.intel_mode} ${ch.intel_attribution} ${ch.tlp}`);
    assert((await a.textContent('.ch-header')).includes('TLP:AMBER') && (await a.textContent('.composer')).includes('TLP:AMBER'), 'label stays in header and composer');
    // The panel explains the new mode (the change reached clients by WebSocket).
    await a.click('.ch-actions button[aria-label="Indicators"]');
    await a.locator('aside.rhs .intel-mode', {hasText: 'shared automatically'}).waitFor({timeout: T});
    await a.keyboard.press('Escape');

    await openChannel(b, 'phishing-watch');
    await b.click('.ch-actions button[aria-label="Channel settings"]');
    await b.waitForSelector('[role=dialog]', {timeout: T});
    assert(await b.locator('input[name=intel-mode][value=review]').isDisabled(), 'members cannot change the capture mode');
    assert(await b.locator('#edit-channel-attribution').isDisabled(), 'members cannot change attribution');
    await b.locator('.modal', {hasText: 'Only channel admins'}).waitFor({timeout: T});
    await b.fill('#edit-channel-purpose', 'Lures, kits and sender infrastructure (members edit this)');
    await b.click('.modal button[type=submit]');
    await b.waitForSelector('[role=dialog]', {state: 'detached', timeout: T});
    ch = await admin.call('GET', `/channels/${ch.id}`);
    assert(ch.purpose.includes('members edit this'), 'a member edits the purpose without touching the label');
    await admin.call('PUT', `/channels/${ch.id}/patch`, {intel_mode: 'review', intel_attribution: false});
});

test('intel: feed keys are created with a ceiling and collections, shown once with a copy button, and revoked', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await a.click('.sidebar a:has-text("Feeds and keys")');
    await a.waitForSelector('#key-name', {timeout: T});
    await a.locator('.admin-table td', {hasText: 'tlp-green'}).first().waitFor({timeout: T});
    await a.fill('#key-name', 'bravo-siem');
    await a.selectOption('#key-ceiling', 'AMBER');
    await a.check('.check-grid label:has-text("tlp-amber") >> nth=0');
    await a.click('button:has-text("Create key")');
    const box = a.locator('.secret-box');
    await box.waitFor({timeout: T});
    assert((await box.textContent()).includes('shown only this once'), 'the secret comes with a warning');
    const key = await a.inputValue('#new-key-secret');
    assert(key.startsWith('ck_'), 'the key is shown');
    await box.locator('button:has-text("Copy key")').click();
    assert((await clipboard(a)) === key, 'copy puts the key on the clipboard');
    await noUnnamed(a, 'feeds page');
    await shot(a, '21-intel-feed-keys');
    const feed = (k) => fetch(`${ctx.url}/feeds/ipv4.txt`, {headers: {authorization: `Bearer ${k}`}});
    assert((await feed(key)).status === 200, 'the new key reads the feed');
    const keyRow = a.locator('tr[data-key-name="bravo-siem"]');
    assert((await keyRow.textContent()).includes('TLP:AMBER') && (await keyRow.textContent()).includes('tlp-amber'), 'listed with ceiling and collection');
    await box.locator('button:has-text("I have stored it")').click();
    await a.reload();
    await keyRow.waitFor({timeout: T});
    assert(!(await a.locator('#new-key-secret').count()) && !(await a.textContent('body')).includes(key), 'the secret is never shown again');
    await keyRow.locator('button:has-text("Revoke")').click();
    await keyRow.locator('button:has-text("Revoke now")').click();
    await keyRow.locator('.status-chip', {hasText: 'Revoked'}).waitFor({timeout: T});
    assert((await feed(key)).status === 401, 'a revoked key is refused');

    // Not for members.
    await b.goto(`${ctx.url}/threat-intel/intel/feeds`);
    await b.locator('.explain', {hasText: 'managed by system administrators'}).waitFor({timeout: T});
    assert(!(await b.locator('.sidebar a:has-text("Feeds and keys")').count()), 'no feeds link for members');
});

test('intel: the review page works in a narrow window', async (ctx) => {
    const b = ctx.pages.bob;
    await b.setViewportSize({width: 400, height: 800});
    await b.goto(`${ctx.url}/threat-intel/intel`);
    await b.click('[role=tab]:has-text("All indicators")');
    // A defanged value pasted into the filter finds the indicator.
    await b.fill('.filters input[type=search]', '45.137.21[.]9');
    await b.waitForFunction(() => document.querySelectorAll('.list-pane .ioc-row').length === 1, null, {timeout: T});
    const row = b.locator('.list-pane .ioc-row', {hasText: IP_DEFANGED});
    await row.waitFor({timeout: T});
    await row.click();
    await b.waitForSelector('#review-title', {timeout: T});
    assert(!(await b.locator('.list-pane').isVisible()), 'the pane replaces the list');
    const overflow = await b.evaluate(() => document.documentElement.scrollWidth > window.innerWidth || document.querySelector('.review-pane').scrollWidth > window.innerWidth);
    assert(!overflow, 'nothing wider than the window');
    await shot(b, '22-intel-narrow');
    await b.click('.review-pane .back-link');
    await row.waitFor({timeout: T});
    await b.waitForFunction(() => document.activeElement?.classList.contains('ioc-row'), null, {timeout: T});
    await b.setViewportSize({width: 1280, height: 800});
    await b.goto(`${ctx.url}/threat-intel/channels/town-square`);
});
