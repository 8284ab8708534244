// Prints the gzipped size of the production bundle and fails when it exceeds the budget.
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';

const BUDGET = 250 * 1024;
const dir = new URL('../dist/', import.meta.url).pathname;
let raw = 0;
let gz = 0;
const walk = (d) => {
    for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) {
            walk(p);
        } else if (/\.(js|css|html|svg)$/.test(name)) {
            const data = readFileSync(p);
            raw += data.length;
            gz += gzipSync(data, {level: 9}).length;
        }
    }
};
walk(dir);
const kb = (n) => (n / 1024).toFixed(1) + ' kB';
console.log(`bundle size: ${kb(raw)} raw, ${kb(gz)} gzipped (budget ${kb(BUDGET)} gzipped)`);
if (gz > BUDGET) {
    console.error('bundle exceeds the gzipped size budget');
    process.exit(1);
}
