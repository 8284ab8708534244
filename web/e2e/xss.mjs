// The XSS corpus through every place user text reaches the screen: messages, display names
// and organizations, channel names, purposes and headers, file names, and the intel views
// (highlights, their menu, the indicator panels and page). A browser with
// the page's CSP switched off (so only our sanitizing stands between a payload and
// execution) must run none of them, and the DOM must carry no script-capable markup.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {assert, shots, test} from './harness.mjs';
import {CORPUS} from './xss-corpus.mjs';
import {png} from './chat.mjs';

const PASSWORD = 'correct horse battery';
const T = 20000;

async function register(url, username, extra = {}) {
    const r = await fetch(`${url}/api/v4/users`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({username, email: `${username}@xss.example`, password: PASSWORD, ...extra}),
    });
    if (r.status !== 201) {
        throw new Error(`sign-up ${username}: ${r.status} ${await r.text()}`);
    }
    return r.json();
}

const at = (i) => CORPUS[i % CORPUS.length];

/** Counts script execution: every sink a payload could call is replaced by a counter. */
const DETECTOR = () => {
    // Reported to Node at once through an exposed binding, so page navigations lose nothing.
    const hit = (what) => (...args) => {
        window.__xssReport?.(`${what}(${args.map(String).join(',')})`);
    };
    window.alert = hit('alert');
    window.confirm = hit('confirm');
    window.prompt = hit('prompt');
    window.print = hit('print');
    window.xss = hit('xss');
    document.addEventListener('securitypolicyviolation', (e) => {
        window.__xssReport?.(`CSP ${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`);
    });
};

/** Finds markup that could run script, anywhere in the document. */
const SCAN = () => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            const value = attr.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
            if (name.startsWith('on')) {
                bad.push(`${el.tagName} ${name}`);
            }
            if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'background'].includes(name) &&
                (value.startsWith('javascript:') || value.startsWith('vbscript:') || value.startsWith('data:text') || name === 'srcdoc')) {
                bad.push(`${el.tagName} ${name}=${attr.value.slice(0, 40)}`);
            }
        }
        const tag = el.tagName.toLowerCase();
        const inContent = Boolean(el.closest('.md, .messages, .rhs, .modal, .sidebar, .ch-header'));
        if (tag === 'form' && !inContent) {
            continue;
        }
        if (['iframe', 'object', 'embed', 'base', 'form', 'math', 'style', 'link', 'meta', 'template', 'video', 'audio', 'frame'].includes(tag) &&
            !(tag === 'meta' && el.closest('head')) && !(tag === 'link' && el.closest('head'))) {
            bad.push(`<${tag}>`);
        }
        if (tag === 'script' && !(el.closest('head') && el.getAttribute('type') === 'module' && el.src.includes('/assets/'))) {
            bad.push('<script>');
        }
        if (tag === 'svg' && !el.classList.contains('icon')) {
            bad.push('<svg> from content');
        }
        if (tag === 'img' && !/^(\/api\/v4\/files\/|blob:)/.test(el.getAttribute('src') || '')) {
            bad.push(`<img src=${el.getAttribute('src')}>`);
        }
        if (tag === 'a' && el.hasAttribute('href')) {
            const href = el.getAttribute('href');
            if (!/^(https?:|mailto:|\/)/i.test(href) && !(href.startsWith('#') && !inContent)) {
                bad.push(`<a href=${href.slice(0, 40)}>`);
            }
        }
    }
    return bad;
};

test(`XSS corpus (${CORPUS.length} payloads) in messages, names, channels, purposes and file names runs nothing`, async (ctx) => {
    const url = ctx.url;
    // Accounts whose names and organizations are payloads (five fields each).
    const namers = [];
    for (let i = 0; i < 45; i++) {
        namers.push(await register(url, `xn${i}`, {first_name: at(i * 5).slice(0, 64), last_name: at(i * 5 + 1).slice(0, 64),
            nickname: at(i * 5 + 2).slice(0, 64), position: at(i * 5 + 3).slice(0, 128), organization: at(i * 5 + 4).slice(0, 64)}));
    }
    await register(url, 'mallory', {first_name: 'Mallory', organization: '<img src=x onerror=alert(1)>'});
    await register(url, 'victim', {first_name: 'Victor', last_name: 'Im', organization: 'Target Co'});
    const mallory = await ctx.login('mallory');
    const victim = await ctx.login('victim');
    const team = await mallory.call('POST', '/teams', {name: 'xss-lab', display_name: 'XSS <b>Lab</b> <img src=x onerror=alert(1)>', type: 'O'});
    await victim.call('POST', `/teams/${team.id}/members`, {team_id: team.id, user_id: victim.user.id});
    const lab = await mallory.call('POST', '/channels', {team_id: team.id, name: 'payloads', display_name: 'Payloads', type: 'O',
        purpose: '<svg onload=alert(1)> [x](javascript:alert(1))', header: '<img src=x onerror=alert(1)>'});
    await victim.call('POST', `/channels/${lab.id}/members`, {user_id: victim.user.id});

    // Channels whose names, purposes and headers are payloads; the victim joins them all.
    let channelCount = 0;
    for (let k = 0; k < 75; k++) {
        try {
            const c = await mallory.call('POST', '/channels', {team_id: team.id, name: `p${k}`, display_name: at(k).slice(0, 64),
                purpose: at(k + 75).slice(0, 250), header: at(k + 150).slice(0, 1024), type: 'O'});
            await victim.call('POST', `/channels/${c.id}/members`, {user_id: victim.user.id});
            channelCount++;
        } catch (e) {
            // The server may refuse a display name; that is not a rendering failure.
            if (!String(e).includes('400')) {
                throw e;
            }
        }
    }
    assert(channelCount >= 60, `most payload channels were accepted (${channelCount})`);

    // Every payload as a message, and people with payload names posting in the lab.
    for (let i = 0; i < CORPUS.length; i++) {
        await mallory.call('POST', '/posts', {channel_id: lab.id, message: `probe ${i}: ${CORPUS[i]}`});
    }
    for (const u of namers.slice(0, 45)) {
        const s = await ctx.login(u.username);
        await s.call('POST', `/teams/${team.id}/members`, {team_id: team.id, user_id: u.id});
        await s.call('POST', `/channels/${lab.id}/members`, {user_id: u.id});
        await s.call('POST', '/posts', {channel_id: lab.id, message: `hello from ${u.username}`});
    }
    // Every payload as a file name, ten files a message.
    const image = png(8);
    for (let i = 0; i < CORPUS.length; i += 10) {
        const form = new FormData();
        form.append('channel_id', lab.id);
        for (const name of CORPUS.slice(i, i + 10)) {
            form.append('files', new Blob([image], {type: 'image/png'}), name.replace(/\//g, '_') + (i % 20 === 0 ? '.png' : '.txt'));
        }
        const up = await mallory.call('POST', '/files', form);
        await mallory.call('POST', '/posts', {channel_id: lab.id, message: `files ${i}`, file_ids: up.file_infos.map((f) => f.id)});
    }
    // A group message whose name is made of payload names, and a direct message.
    await mallory.call('POST', '/channels/group', [mallory.user.id, victim.user.id, namers[0].id, namers[1].id]);
    const dm = await mallory.call('POST', '/channels/direct', [mallory.user.id, victim.user.id]);
    await mallory.call('POST', '/posts', {channel_id: dm.id, message: '<script>alert(1)</script> hi'});

    for (const bypassCSP of [true, false]) {
        const context = await ctx.browser.newContext({viewport: {width: 1280, height: 800}, bypassCSP});
        const hits = [];
        const bad = [];
        await context.exposeBinding('__xssReport', (_source, what) => {
            hits.push(what);
        });
        await context.addInitScript(DETECTOR);
        const page = await context.newPage();
        page.on('dialog', (d) => {
            hits.push(`dialog ${d.message()}`);
            void d.dismiss();
        });
        /** Scans the DOM as it is now; every view the user can reach gets scanned. */
        const check = async (stage) => {
            await page.waitForTimeout(300);
            for (const b of await page.evaluate(SCAN)) {
                bad.push(`${stage}: ${b}`);
            }
        };
        const openSidebar = async (name) => {
            await page.click(`.sidebar a[data-channel-name="${name}"]`);
            await page.waitForSelector(`.ch-link.active[data-channel-name="${name}"]`, {timeout: T});
            await page.waitForSelector('.ch-header', {timeout: T});
        };
        await page.goto(`${url}/login`);
        await page.fill('#login-id', 'victim');
        await page.fill('#login-password', PASSWORD);
        await page.click('button[type=submit]');
        await page.waitForSelector('#composer-input', {timeout: T});
        await page.goto(`${url}/xss-lab/channels/payloads`);
        await page.waitForSelector('.messages .post', {timeout: T});
        // Scroll back through all history so every message renders.
        for (let i = 0; i < 30 && !(await page.locator('.ch-intro').count()); i++) {
            await page.locator('.messages').evaluate((el) => {
                el.scrollTop = 0;
            });
            await page.waitForTimeout(250);
        }
        assert(await page.locator('.ch-intro').count(), 'reached the start of the payload channel');
        const rendered = await page.locator('.messages .post .md', {hasText: /^probe \d+:/}).count();
        assert(rendered === CORPUS.length, `all ${CORPUS.length} payload messages rendered (saw ${rendered})`);
        const fileNames = await page.locator('.messages .file-caption, .messages .file-name').count();
        assert(fileNames === CORPUS.length, `all ${CORPUS.length} payload file names rendered (saw ${fileNames})`);
        // Hover and focus messages so mouse and focus handlers would have fired.
        const postsList = page.locator('.messages .post');
        const n = await postsList.count();
        for (let i = 0; i < n; i += 5) {
            await postsList.nth(i).hover().catch(() => {});
        }
        await check('payload channel');
        if (bypassCSP) {
            await page.screenshot({path: join(shots, '13-xss-corpus.png')});
        }
        // Indicator-looking payloads are highlighted and captured: scan the intel views too.
        const highlights = await page.locator('.messages .ioc').count();
        assert(highlights >= 15, `payloads with indicators are highlighted (saw ${highlights})`);
        await page.locator('.messages .ioc-main').first().click();
        await page.waitForSelector('.ioc-menu', {timeout: T});
        await check('indicator menu');
        await page.keyboard.press('Escape');
        await page.click('.ch-actions button[aria-label="Indicators"]');
        await page.waitForSelector('aside.rhs .ioc-row', {timeout: T});
        await check('indicators panel');
        for (let i = 0; i < Math.min(3, await page.locator('aside.rhs .ioc-row').count()); i++) {
            await page.locator('aside.rhs .ioc-row').nth(i).click();
            await page.waitForSelector('aside.rhs .sighting', {timeout: T});
            await check(`indicator detail ${i}`);
            await page.click('aside.rhs .back-link');
            await page.waitForSelector('aside.rhs .ioc-row', {timeout: T});
        }
        await page.keyboard.press('Escape');
        await page.click('.members-btn');
        await page.waitForSelector('aside.rhs .member', {timeout: T});
        await check('members panel');
        await page.fill('#search-box', 'probe');
        await page.press('#search-box', 'Enter');
        await page.waitForSelector('aside.rhs .result', {timeout: T});
        await check('search results');
        await page.keyboard.press('Escape');
        await page.click('button[aria-label="Browse channels"]');
        await page.waitForSelector('.browse-list li', {timeout: T});
        await check('browse channels');
        await page.keyboard.press('Escape');
        await page.click('button[aria-label="Start a direct message"]');
        await page.waitForSelector('.directory .person', {timeout: T});
        await check('member directory');
        await page.keyboard.press('Escape');
        for (const name of ['p0', 'p5', 'p40', 'p74']) {
            if (await page.locator(`.sidebar a[data-channel-name="${name}"]`).count()) {
                await openSidebar(name);
                await check(`channel ${name}`);
            }
        }
        await page.click('.sidebar .ch-link:has-text("Mallory")');
        await page.waitForSelector('.messages .post', {timeout: T});
        await check('direct message and sidebar');
        await page.click('.sidebar a:has-text("Indicators")');
        await page.waitForSelector('.list-pane .ioc-row', {timeout: T});
        await page.waitForSelector('.review-pane .sighting', {timeout: T});
        await check('indicators page');
        await page.fill('.filters input[type=search]', 'evil');
        await page.waitForTimeout(600);
        await check('indicators page, filtered');
        await context.close();
        assert(hits.length === 0, `payloads executed or tried to (CSP ${bypassCSP ? 'off' : 'on'}): ${hits.slice(0, 8).join(' | ')}`);
        assert(bad.length === 0, `script-capable markup in the DOM: ${[...new Set(bad)].slice(0, 10).join(' | ')}`);
    }
    console.log(`       ${CORPUS.length} payloads: 0 executed, 0 script-capable nodes, 0 CSP violations (CSP on and off)`);
    const reports = join(import.meta.dirname, '..', '..', 'reports');
    mkdirSync(reports, {recursive: true});
    writeFileSync(join(reports, 'xss.json'), JSON.stringify({payloads: CORPUS.length, executed: 0, script_capable_nodes: 0, csp_violations: 0, csp_modes: ['on', 'off']}, null, 2) + '\n');
});
