// Entry point of the browser suite: `node e2e/run.mjs` (scripts/stages/web runs it).
import {apiSession, launch, run, startServer} from './harness.mjs';
import './chat.mjs';
import './intel.mjs';
import './xss.mjs';

const server = await startServer();
const browser = await launch();
const ctx = {url: server.url, browser, pages: {}, contexts: {}, metrics: {}};
ctx.login = (name) => apiSession(server.url, name, 'correct horse battery');
let result = {passed: 0, failed: 1};
try {
    for (const who of ['alice', 'bob']) {
        ctx.contexts[who] = await browser.newContext({viewport: {width: 1280, height: 800}});
        ctx.pages[who] = await ctx.contexts[who].newPage();
        ctx.pages[who].on('pageerror', (e) => console.log(`       [${who} page error] ${e.message}`));
    }
    result = await run(ctx);
} finally {
    await browser.close().catch(() => {});
    await server.stop();
}
if (ctx.metrics.firstPageUsableMs !== undefined) {
    console.log(`first page usable: ${ctx.metrics.firstPageUsableMs} ms`);
}
console.log(`\nbrowser suite: ${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed ? 1 : 0);
