// The everyday flows, with two people in two browser contexts against one real server.
import {join} from 'node:path';
import {deflateSync} from 'node:zlib';
import {assert, shots, test} from './harness.mjs';

const PASSWORD = 'correct horse battery';
const T = 15000;

/** A small valid PNG (a blue square), built here so the suite needs no fixture files. */
export function png(size = 48, rgb = [47, 98, 214]) {
    const crcTable = Array.from({length: 256}, (_, n) => {
        let c = n;
        for (let k = 0; k < 8; k++) {
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        }
        return c >>> 0;
    });
    const crc = (buf) => {
        let c = 0xffffffff;
        for (const b of buf) {
            c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
        }
        return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type, data) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(data.length);
        const td = Buffer.concat([Buffer.from(type), data]);
        const c = Buffer.alloc(4);
        c.writeUInt32BE(crc(td));
        return Buffer.concat([len, td, c]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(size, 0);
    ihdr.writeUInt32BE(size, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const rows = [];
    for (let y = 0; y < size; y++) {
        rows.push(Buffer.from([0, ...Array.from({length: size}, () => rgb).flat()]));
    }
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
        chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export async function signupUI(page, url, u) {
    await page.goto(`${url}/signup`);
    await page.fill('#signup-first', u.first);
    await page.fill('#signup-last', u.last);
    await page.fill('#signup-org', u.org);
    await page.fill('#signup-email', `${u.username}@example.org`);
    await page.fill('#signup-username', u.username);
    await page.fill('#signup-password', PASSWORD);
    await page.click('button[type=submit]');
}

const composer = (page) => page.locator('#composer-input');
const post = (page, text) => page.locator('.messages .post', {hasText: text});

async function send(page, text, input = '#composer-input') {
    await page.fill(input, text);
    await page.press(input, 'Enter');
}

async function shot(page, name) {
    await page.screenshot({path: join(shots, `${name}.png`)});
}

async function openChannel(page, name) {
    await page.click(`.sidebar a[data-channel-name="${name}"]`);
    await page.waitForSelector(`.ch-link.active[data-channel-name="${name}"]`, {timeout: T});
}

test('first page is usable quickly (timing printed, not asserted)', async (ctx) => {
    const context = await ctx.browser.newContext({viewport: {width: 1280, height: 800}});
    const page = await context.newPage();
    // Warm the server's asset path once, as a returning visitor's browser would have.
    await page.goto(`${ctx.url}/login`);
    await page.waitForSelector('#login-id');
    const fresh = await ctx.browser.newContext({viewport: {width: 1280, height: 800}});
    const p2 = await fresh.newPage();
    const start = Date.now();
    await p2.goto(`${ctx.url}/login`);
    await p2.waitForSelector('#login-id:enabled', {state: 'visible'});
    await p2.fill('#login-id', 'x');
    const ms = Date.now() - start;
    const inPage = await p2.evaluate(() => {
        const mark = performance.getEntriesByName('conclave:login-ready')[0];
        const n = performance.getEntriesByType('navigation')[0];
        return {ready: mark ? Math.round(mark.startTime) : -1, dcl: n ? Math.round(n.domContentLoadedEventEnd) : -1};
    });
    ctx.metrics.firstPageUsableMs = inPage.ready;
    console.log(`       first page usable: login form interactive ${inPage.ready} ms after navigation start ` +
        `(DOMContentLoaded ${inPage.dcl} ms; ${ms} ms wall clock including a new browser context)`);
    await shot(p2, '01-login');
    await fresh.close();
    await context.close();
});

test('sign up: the first account becomes admin and sees the first-run hint', async (ctx) => {
    const page = ctx.pages.alice;
    await signupUI(page, ctx.url, {first: 'Alice', last: 'Analyst', org: 'Alpha Bank CSIRT', username: 'alice'});
    await page.waitForSelector('.hint', {timeout: T});
    assert((await page.textContent('.hint')).includes('first account'), 'first-run hint names the first account');
    await shot(page, '02-first-run');
    await page.fill('#team-display-name', 'Threat Intel');
    await page.click('section[aria-labelledby=new-team] button[type=submit]');
    await page.waitForURL(/\/threat-intel\/channels\/town-square/, {timeout: T});
    await page.waitForSelector('#composer-input', {timeout: T});
});

test('a second member signs up, joins the team, and both see each other', async (ctx) => {
    const page = ctx.pages.bob;
    await signupUI(page, ctx.url, {first: 'Bob', last: 'Builder', org: 'Bravo Energy SOC', username: 'bob'});
    await page.waitForSelector('#open-teams', {timeout: T});
    assert(!(await page.locator('.hint').count()), 'no admin hint for the second account');
    await page.click('#open-teams ~ ul button:has-text("Join")');
    await page.waitForURL(/\/threat-intel\/channels\/town-square/, {timeout: T});
    await page.waitForSelector('#composer-input', {timeout: T});
});

test('create a TLP:RED private channel and a public one; the other member joins by browsing', async (ctx) => {
    const a = ctx.pages.alice;
    await a.click('button[aria-label="Create a channel"]');
    await a.fill('#new-channel-name', 'Incident 42');
    await a.click('text=Private: invited members only');
    await a.selectOption('#new-channel-tlp', 'RED');
    await a.click('.modal button[type=submit]');
    await a.waitForSelector('.ch-header .tlp-red', {timeout: T});
    assert((await a.textContent('.ch-header')).includes('TLP:RED'), 'header shows TLP:RED');
    assert((await a.textContent('.composer')).includes('TLP:RED'), 'composer shows TLP:RED');
    await a.click('button[aria-label="Create a channel"]');
    await a.fill('#new-channel-name', 'Phishing Watch');
    await a.fill('#new-channel-purpose', 'Lures, kits and sender infrastructure seen by members');
    await a.selectOption('#new-channel-tlp', 'AMBER');
    await a.click('.modal button[type=submit]');
    await a.waitForSelector('.ch-link.active[data-channel-name="phishing-watch"]', {timeout: T});
    await a.waitForSelector('.ch-header .tlp-amber', {timeout: T});

    const b = ctx.pages.bob;
    await b.click('button[aria-label="Browse channels"]');
    await b.waitForSelector('.browse-list li:has-text("Phishing Watch")', {timeout: T});
    assert(!(await b.locator('.browse-list li:has-text("Incident 42")').count()), 'private channel is not browsable');
    await shot(b, '03-browse-channels');
    await b.click('button[aria-label="Join Phishing Watch"]');
    await b.waitForSelector('.ch-link.active[data-channel-name="phishing-watch"]', {timeout: T});
});

test('chat in real time both ways, with the typing indicator', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await send(a, 'Morning all. New lure: **invoice** themed, sender `billing@examp1e-pay.com`');
    await post(b, 'New lure').waitFor({timeout: T});
    await b.type('#composer-input', 'Seeing the same', {delay: 20});
    await a.waitForSelector('.typing:has-text("Bob Builder is typing")', {timeout: T});
    await b.press('#composer-input', 'Enter');
    await post(a, 'Seeing the same').waitFor({timeout: T});
    await send(a, '| indicator | type |\n|---|---|\n| 45.137.21.9 | ipv4 |\n| examp1e-pay.com | domain |');
    await b.locator('.messages .md table').waitFor({timeout: T});
    const linkCount = await b.locator('.messages .md a').count();
    assert(linkCount === 0, 'raw IPs and domains are not linkified');
    await send(b, 'Writeup: [vendor blog](https://example.com/report) and code `hxxp://evil[.]example/x`');
    await post(a, 'Writeup').locator('a[href="https://example.com/report"]').waitFor({timeout: T});
    assert((await post(a, 'Writeup').locator('code').textContent()) === 'hxxp://evil[.]example/x', 'code span kept verbatim');
});

test('mention autocomplete inserts the username', async (ctx) => {
    const a = ctx.pages.alice;
    await composer(a).fill('');
    await a.type('#composer-input', 'ping @bo', {delay: 30});
    await a.waitForSelector('.suggestions [role=option]:has-text("Bob Builder")', {timeout: T});
    assert((await a.textContent('.suggestions')).includes('Bravo Energy SOC'), 'suggestion shows the organization');
    await a.press('#composer-input', 'Enter');
    assert((await composer(a).inputValue()) === 'ping @bob ', 'username inserted');
    await a.type('#composer-input', 'can you check the kit?');
    await a.press('#composer-input', 'Enter');
    await post(ctx.pages.bob, 'can you check the kit').locator('.mention').waitFor({timeout: T});
});

test('reply in a thread; the root shows its reply count on both sides', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    const root = post(a, 'Seeing the same');
    await root.hover();
    await root.locator('button[aria-label="Reply in thread"]').click();
    await a.waitForSelector('aside.rhs .thread', {timeout: T});
    await send(a, 'Which sender domain did you get?', '#thread-input');
    await a.locator('aside.rhs .post', {hasText: 'Which sender domain'}).waitFor({timeout: T});
    await post(b, 'Seeing the same').locator('.reply-count:has-text("1 reply")').waitFor({timeout: T});
    await post(b, 'Seeing the same').locator('.reply-count').click();
    await b.locator('aside.rhs .post', {hasText: 'Which sender domain'}).waitFor({timeout: T});
    await send(b, 'examp1e-pay.com, registered yesterday', '#thread-input');
    await a.locator('aside.rhs .post', {hasText: 'registered yesterday'}).waitFor({timeout: T});
    await post(a, 'Seeing the same').locator('.reply-count:has-text("2 replies")').waitFor({timeout: T});
    await shot(a, '04-thread');
    await a.keyboard.press('Escape');
    await a.waitForSelector('aside.rhs', {state: 'detached', timeout: T});
    await b.keyboard.press('Escape');
});

test('react to a message; the other side sees it and can add to it', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    const target = post(b, 'New lure');
    await target.hover();
    await target.locator('button[aria-label="Add reaction"]').click();
    await b.click('.emoji-picker button[aria-label="eyes"]');
    await post(a, 'New lure').locator('.reaction:has-text("1")').waitFor({timeout: T});
    await post(a, 'New lure').locator('.reaction').click();
    await post(b, 'New lure').locator('.reaction .count:text-is("2")').waitFor({timeout: T});
});

test('edit the last message with Up, then delete a message', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await send(a, 'Blocklist update at 14:00');
    await post(b, 'Blocklist update at 14:00').waitFor({timeout: T});
    await composer(a).click();
    await a.keyboard.press('ArrowUp');
    const box = a.locator('.edit-box textarea');
    await box.waitFor({timeout: T});
    await box.fill('Blocklist update at 15:00');
    await box.press('Enter');
    await post(b, 'Blocklist update at 15:00').locator('.md.is-edited').waitFor({timeout: T});
    await send(a, 'Oops, wrong channel');
    const victim = post(a, 'Oops, wrong channel');
    await victim.waitFor({timeout: T});
    await post(b, 'Oops, wrong channel').waitFor({timeout: T});
    await victim.hover();
    await victim.locator('button[aria-label="Delete message"]').click();
    await a.click('.modal button:has-text("Delete")');
    await post(a, 'Oops, wrong channel').waitFor({state: 'detached', timeout: T});
    await post(b, 'Oops, wrong channel').waitFor({state: 'detached', timeout: T});
});

test('pin a message and list it in the pinned panel', async (ctx) => {
    const a = ctx.pages.alice;
    const target = post(a, 'Blocklist update');
    await target.hover();
    await target.locator('button[aria-label="Pin message"]').click();
    await target.locator('.pinned-tag').waitFor({timeout: T});
    await a.click('.ch-actions button[aria-label="Pinned messages"]');
    await a.locator('aside.rhs .result', {hasText: 'Blocklist update at 15:00'}).waitFor({timeout: T});
    await a.keyboard.press('Escape');
});

test('upload an image by file picker and by drag and drop; the other side sees the preview', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await a.setInputFiles('[data-testid=file-input]', {name: 'beacon-chart.png', mimeType: 'image/png', buffer: png(64)});
    await a.waitForSelector('.attachment:has-text("beacon-chart.png") .att-state:not(:has-text("Uploading"))', {timeout: T});
    await composer(a).fill('Beacon timing chart');
    await composer(a).press('Enter');
    await post(b, 'Beacon timing chart').locator('img[alt="beacon-chart.png"]').waitFor({timeout: T});
    const loaded = await post(b, 'Beacon timing chart').locator('img').evaluate((img) => img.complete && img.naturalWidth > 0);
    assert(loaded, 'image preview loads');
    // Drag and drop: a real drop event with a DataTransfer carrying a file.
    const data = png(32, [214, 98, 47]).toString('base64');
    await a.evaluate(async (b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'dropped-ioc.png', {type: 'image/png'}));
        const target = document.querySelector('.channel-view');
        target.dispatchEvent(new DragEvent('dragenter', {bubbles: true, dataTransfer: dt}));
        target.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
        target.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
    }, data);
    await a.waitForSelector('.attachment:has-text("dropped-ioc.png") .att-state:not(:has-text("Uploading"))', {timeout: T});
    await a.click('button[aria-label="Send"]');
    await b.locator('.messages img[alt="dropped-ioc.png"]').waitFor({timeout: T});
    await shot(b, '05-channel');
});

test('search with from: and in:, then jump to the message', async (ctx) => {
    const b = ctx.pages.bob;
    await b.fill('#search-box', 'from:alice in:phishing-watch blocklist');
    await b.press('#search-box', 'Enter');
    const result = b.locator('aside.rhs .result', {hasText: 'Blocklist update at 15:00'});
    await result.waitFor({timeout: T});
    await shot(b, '06-search');
    await b.fill('#search-box', 'from:bob blocklist');
    await b.press('#search-box', 'Enter');
    await b.locator('aside.rhs', {hasText: 'No messages match'}).waitFor({timeout: T});
    await b.fill('#search-box', `blocklist after:2000-01-01 before:2999-01-01`);
    await b.press('#search-box', 'Enter');
    await b.locator('aside.rhs .result', {hasText: 'Blocklist update'}).click();
    await b.locator('.messages .post.highlight', {hasText: 'Blocklist update at 15:00'}).waitFor({timeout: T});
    await b.keyboard.press('Escape');
});

test('unread and mention badges update live and clear on reading', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await openChannel(b, 'town-square');
    await send(a, 'Heads up @bob: kit hash posted');
    const link = b.locator('.sidebar a[data-channel-name="phishing-watch"]');
    await link.locator('.badge:text-is("1")').waitFor({timeout: T});
    assert(await link.evaluate((el) => el.classList.contains('unread')), 'channel shown unread');
    await send(a, 'and a second one without mention');
    await b.waitForFunction(() => document.querySelector('.sidebar a[data-channel-name="phishing-watch"]')?.classList.contains('unread'));
    await shot(b, '07-unread-badges');
    await openChannel(b, 'phishing-watch');
    await link.locator('.badge').waitFor({state: 'detached', timeout: T});
    // A "New messages" line marks where the unread part began.
    const firstNew = await b.evaluate(() => document.querySelector('.new-sep')?.nextElementSibling?.textContent || '');
    assert(firstNew.includes('Heads up'), `new-messages line before the first unread message (${firstNew.slice(0, 60)})`);
    assert(!(await link.evaluate((el) => el.classList.contains('unread'))), 'unread cleared after reading');
    // The read state is on the server too: a reload keeps it clear.
    await b.reload();
    await b.waitForSelector('.sidebar a[data-channel-name="phishing-watch"]', {timeout: T});
    assert(!(await b.locator('.sidebar a[data-channel-name="phishing-watch"] .badge').count()), 'still read after reload');
});

test('offline and back: exactly the messages sent meanwhile appear, once each', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await openChannel(a, 'phishing-watch');
    await openChannel(b, 'phishing-watch');
    const before = await b.locator('.messages .post').count();
    await ctx.contexts.bob.setOffline(true);
    await b.waitForSelector('.conn-banner', {timeout: T});
    const sent = [];
    for (let i = 1; i <= 5; i++) {
        const text = `offline-batch message ${i} of 5`;
        sent.push(text);
        await send(a, text);
        await post(a, text).waitFor({timeout: T});
    }
    await shot(b, '08-offline');
    // Nothing arrives while offline.
    assert((await b.locator('.messages .post', {hasText: 'offline-batch'}).count()) === 0, 'no messages while offline');
    await ctx.contexts.bob.setOffline(false);
    await b.waitForSelector('.conn-banner', {state: 'detached', timeout: 30000});
    for (const text of sent) {
        await post(b, text).waitFor({timeout: T});
    }
    await b.waitForTimeout(1000);
    for (const text of sent) {
        const n = await post(b, text).count();
        assert(n === 1, `"${text}" shown ${n} times`);
    }
    const after = await b.locator('.messages .post').count();
    assert(after === before + 5, `expected ${before + 5} posts, saw ${after}`);
    // And live delivery works again after the resync.
    await send(a, 'back-online check');
    await post(b, 'back-online check').waitFor({timeout: T});
});

test('members panel shows each member with organization and role; header shows the count', async (ctx) => {
    const a = ctx.pages.alice;
    await a.locator('.members-btn .member-count:text-is("2")').waitFor({timeout: T});
    await a.click('.members-btn');
    await a.locator('aside.rhs .member', {hasText: 'Bravo Energy SOC'}).waitFor({timeout: T});
    const text = await a.textContent('aside.rhs');
    assert(text.includes('Alpha Bank CSIRT') && text.includes('System admin') && text.includes('Member'), 'orgs and roles shown');
    await shot(a, '09-members');
    await a.keyboard.press('Escape');
});

test('start a DM from the directory by searching an organization', async (ctx) => {
    const a = ctx.pages.alice;
    const b = ctx.pages.bob;
    await a.click('button[aria-label="Start a direct message"]');
    await a.fill('#directory-search', 'bravo');
    await a.locator('.directory .person', {hasText: 'Bob Builder'}).click();
    await shot(a, '10-directory');
    await a.click('.modal button:has-text("Start direct message")');
    await a.waitForSelector('.ch-header:has-text("Bob Builder")', {timeout: T});
    await send(a, 'Private note: the kit is on our sinkhole');
    const dm = b.locator('.sidebar .ch-link', {hasText: 'Alice Analyst'});
    await dm.locator('.badge').waitFor({timeout: T});
    await dm.click();
    await post(b, 'Private note').waitFor({timeout: T});
    await dm.locator('.badge').waitFor({state: 'detached', timeout: T});
});

test('infinite scroll loads older history with day separators', async (ctx) => {
    const a = ctx.pages.alice;
    // Bob fills a channel Alice has never opened, so her client must page back through it.
    const api = await ctx.login('bob');
    const team = await api.call('GET', '/teams/name/threat-intel');
    const channel = await api.call('POST', '/channels', {team_id: team.id, name: 'archive', display_name: 'Archive', type: 'O'});
    for (let i = 1; i <= 130; i++) {
        await api.call('POST', '/posts', {channel_id: channel.id, message: `history line ${i}`});
    }
    await a.click('button[aria-label="Browse channels"]');
    await a.click('button[aria-label="Join Archive"]');
    await a.waitForSelector('.ch-link.active[data-channel-name="archive"]', {timeout: T});
    await post(a, 'history line 130').waitFor({timeout: T});
    assert((await post(a, /history line 1\s*$/).count()) === 0, 'oldest not loaded yet');
    for (let i = 0; i < 10 && !(await post(a, /history line 1\s*$/).count()); i++) {
        await a.locator('.messages').evaluate((el) => {
            el.scrollTop = 0;
        });
        await a.waitForTimeout(400);
    }
    await post(a, /history line 1\s*$/).waitFor({timeout: T});
    assert((await a.locator('.messages .day-sep').count()) >= 1, 'day separator present');
    const texts = await a.locator('.messages .post .md').allTextContents();
    const lines = texts.filter((t) => t.startsWith('history line'));
    assert(new Set(lines).size === lines.length && lines.length === 130, `130 unique history lines, saw ${lines.length}`);
});

test('keyboard and accessibility: every control has a name; Esc closes dialogs', async (ctx) => {
    const a = ctx.pages.alice;
    await openChannel(a, 'phishing-watch');
    await a.click('.members-btn');
    await a.waitForSelector('aside.rhs .member');
    const unnamed = await a.evaluate(() => {
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
        return Array.from(document.querySelectorAll('button, a[href], input:not([type=hidden]):not([hidden]), textarea, select, [role=option], [role=menuitem]'))
            .filter((el) => !el.closest('[aria-hidden=true]') && !el.hidden)
            .filter((el) => !nameOf(el)).map((el) => el.outerHTML.slice(0, 120));
    });
    assert(unnamed.length === 0, `controls without an accessible name: ${unnamed.join(' | ')}`);
    await a.keyboard.press('Escape');
    await a.waitForSelector('aside.rhs', {state: 'detached'});
    await a.click('button[aria-label="Create a channel"]');
    await a.waitForSelector('[role=dialog]');
    // Focus moves once the dialog has rendered; allow it a moment, no more.
    const focused = await a.waitForFunction(() => document.activeElement?.id === 'new-channel-name', null, {timeout: 2000}).then(() => true, () => false);
    assert(focused, 'dialog focuses its first field');
    await a.keyboard.press('Escape');
    await a.waitForSelector('[role=dialog]', {state: 'detached'});
    // Alt+Down and Alt+Up move through the channel list.
    await a.keyboard.press('Alt+ArrowDown');
    await a.waitForSelector('.ch-link.active[data-channel-name="town-square"]', {timeout: T});
    await a.keyboard.press('Alt+ArrowUp');
    await a.waitForSelector('.ch-link.active[data-channel-name="phishing-watch"]', {timeout: T});
    // Shift+Enter makes a new line instead of sending.
    await composer(a).fill('line one');
    await composer(a).press('Shift+Enter');
    await a.keyboard.type('line two');
    assert((await composer(a).inputValue()) === 'line one\nline two', 'Shift+Enter adds a line');
    await composer(a).press('Enter');
    await post(a, 'line two').waitFor({timeout: T});
});

test('works on a narrow window: the channel list is a drawer', async (ctx) => {
    const b = ctx.pages.bob;
    await b.setViewportSize({width: 400, height: 800});
    await b.waitForSelector('button.hamburger', {state: 'visible'});
    await b.waitForTimeout(300);
    await shot(b, '11-narrow');
    await b.click('button.hamburger');
    await b.waitForSelector('.sidebar-open .sidebar a[data-channel-name="town-square"]', {state: 'visible'});
    await b.waitForTimeout(300);
    await shot(b, '12-narrow-drawer');
    await b.click('.sidebar a[data-channel-name="town-square"]');
    await b.waitForSelector('.shell:not(.sidebar-open)');
    await b.waitForSelector('.ch-header:has-text("Town Square")');
    await b.setViewportSize({width: 1280, height: 800});
});

test('sign out and back in', async (ctx) => {
    const b = ctx.pages.bob;
    await b.click('.user-btn');
    await b.click('[role=menuitem]:has-text("Sign out")');
    await b.waitForSelector('#login-id', {timeout: T});
    await b.fill('#login-id', 'bob');
    await b.fill('#login-password', 'wrong password!');
    await b.click('button[type=submit]');
    await b.waitForSelector('.form-error', {timeout: T});
    await b.fill('#login-password', PASSWORD);
    await b.click('button[type=submit]');
    await b.waitForSelector('#composer-input', {timeout: T});
});
