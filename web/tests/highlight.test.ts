import {describe, expect, it} from 'vitest';
import {applyHighlights, cleanFindings, collectText, displayValue, mayHaveIndicators, type Finding} from '../src/lib/highlight';
import {renderMarkdownFragment} from '../src/lib/markdown';
import {CORPUS} from '../e2e/xss-corpus.mjs';

function rendered(md: string): HTMLDivElement {
    const div = document.createElement('div');
    div.appendChild(renderMarkdownFragment(md));
    return div;
}

/** A finding for the first occurrence of `raw` in the visible text, as the server would report it. */
function at(text: string, raw: string, f: Partial<Finding> & {type: string; value: string; defanged: string}, from = 0): Finding {
    const start = text.indexOf(raw, from);
    if (start < 0) {
        throw new Error(`${raw} not in ${JSON.stringify(text)}`);
    }
    return {start, end: start + raw.length, ...f};
}

const IP = {type: 'ipv4', value: '45.137.21.9', defanged: '45[.]137[.]21[.]9'};
const DOMAIN = {type: 'domain', value: 'evil.com', defanged: 'evil[.]com'};

describe('collectText', () => {
    it('leaves out code, links and mentions, and separates blocks', () => {
        const el = rendered('C2 45.137.21.9 and `1.2.3.4` [evil.com](https://example.com) @alice\n\nnext *para* evil.com');
        const {text} = collectText(el);
        expect(text).toContain('C2 45.137.21.9 and ');
        expect(text).not.toContain('1.2.3.4');
        expect(text).not.toContain('@alice');
        expect(text).not.toContain('example.com');
        // Paragraphs never run together.
        expect(text).toMatch(/\n+next para evil\.com/);
    });
});

describe('applyHighlights', () => {
    it('shows the defanged value with the canonical one in data attributes', () => {
        const el = rendered('beacon to 45.137.21[.]9 now');
        const map = collectText(el);
        expect(applyHighlights(map, [at(map.text, '45.137.21[.]9', IP)], true)).toBe(1);
        const ioc = el.querySelector('.ioc')!;
        expect(ioc.getAttribute('data-ioc-value')).toBe('45.137.21.9');
        expect(ioc.querySelector('.ioc-text')!.textContent).toBe('45[.]137[.]21[.]9');
        expect(ioc.querySelector('button.ioc-main')!.getAttribute('aria-label')).toContain('IPv4 address 45[.]137[.]21[.]9');
        expect(ioc.querySelector('button.ioc-copy')!.getAttribute('aria-label')).toBe('Copy 45.137.21.9');
        expect(el.textContent!.trim()).toBe('beacon to IP45[.]137[.]21[.]9 now');
    });

    it('maps UTF-16 offsets after emoji and astral characters', () => {
        const el = rendered('😀👩‍💻 𝒳 evil.com then 😀45.137.21.9😀');
        const map = collectText(el);
        // Offsets as JavaScript (and the server) count them: UTF-16 code units.
        const d = at(map.text, 'evil.com', DOMAIN);
        const i = at(map.text, '45.137.21.9', IP);
        // 😀 2, 👩 2, ZWJ 1, 💻 2, space 1, 𝒳 2, space 1: eleven code units, seven code points.
        expect(d.start - map.text.indexOf('😀')).toBe(11);
        expect(applyHighlights(map, [d, i], true)).toBe(2);
        const values = [...el.querySelectorAll('.ioc')].map((x) => x.getAttribute('data-ioc-value'));
        expect(values).toEqual(['evil.com', '45.137.21.9']);
        expect(el.textContent!.trim()).toBe('😀👩‍💻 𝒳 DOMevil[.]com then 😀IP45[.]137[.]21[.]9😀');
    });

    it('handles adjacent findings and drops overlapping ones', () => {
        const el = rendered('x evil.com,45.137.21.9 y');
        const map = collectText(el);
        const d = at(map.text, 'evil.com', DOMAIN);
        const i = at(map.text, '45.137.21.9', IP);
        const overlapping = {...IP, start: d.start + 2, end: d.end + 2};
        const touching = {type: 'domain', value: 'a.b', defanged: 'a[.]b', start: d.end, end: d.end + 1};
        expect(applyHighlights(map, [i, overlapping, d, touching], true)).toBe(3);
        const iocs = [...el.querySelectorAll('.ioc')];
        expect(iocs.map((x) => x.getAttribute('data-ioc-value'))).toEqual(['evil.com', 'a.b', '45.137.21.9']);
    });

    it('ignores malformed findings', () => {
        const map = collectText(rendered('evil.com'));
        const bad = [{...DOMAIN, start: -1, end: 3}, {...DOMAIN, start: 2, end: 2}, {...DOMAIN, start: 0, end: 99}, {...DOMAIN, start: 0.5, end: 3}];
        expect(cleanFindings(bad as Finding[], map.text.length)).toEqual([]);
        expect(applyHighlights(map, bad as Finding[], true)).toBe(0);
    });

    it('highlights across inline formatting and never inside code', () => {
        const el = rendered('see evil.**com** and `evil.com`');
        const map = collectText(el);
        expect(applyHighlights(map, [at(map.text, 'evil.com', DOMAIN)], true)).toBe(1);
        expect(el.querySelector('code')!.textContent).toBe('evil.com');
        expect(el.querySelector('code .ioc')).toBeNull();
        expect(el.querySelector('.ioc .ioc-text')!.textContent).toBe('evil[.]com');
    });

    it('does not highlight across a block boundary', () => {
        const el = rendered('evil\n\n.com');
        const map = collectText(el);
        const start = map.text.indexOf('evil');
        expect(applyHighlights(map, [{...DOMAIN, start, end: map.text.indexOf('.com') + 4}], true)).toBe(0);
    });

    it('builds plain spans when not interactive (inside a result button)', () => {
        const el = rendered('evil.com');
        const map = collectText(el);
        applyHighlights(map, [at(map.text, 'evil.com', DOMAIN)], false);
        expect(el.querySelector('button')).toBeNull();
        expect(el.querySelector('.ioc .ioc-text')!.textContent).toBe('evil[.]com');
    });

    it('never turns values into markup', () => {
        const payload = 'evil[.]com"><img src=x onerror=alert(1)>';
        const el = rendered(payload);
        const map = collectText(el);
        const evil = at(map.text, 'evil[.]com', {type: 'domain', value: '"><img src=x onerror=alert(1)>', defanged: '<script>alert(1)</script>'});
        applyHighlights(map, [evil], true);
        expect(el.querySelector('img, script')).toBeNull();
        const ioc = el.querySelector('.ioc')!;
        expect(ioc.getAttribute('data-ioc-value')).toBe('"><img src=x onerror=alert(1)>');
        expect(ioc.querySelector('.ioc-text')!.textContent).toBe('<script>alert(1)</script>');
        for (const node of el.querySelectorAll('*')) {
            for (const a of node.attributes) {
                expect(a.name.startsWith('on')).toBe(false);
            }
        }
    });

    it('keeps the corpus inert with a highlight over every visible word', () => {
        for (const p of CORPUS) {
            const el = rendered(`x ${p} evil.com`);
            const map = collectText(el);
            const findings: Finding[] = [];
            for (const m of map.text.matchAll(/\S+/g)) {
                findings.push({type: 'url', value: m[0], defanged: m[0], start: m.index!, end: m.index! + m[0].length});
            }
            applyHighlights(map, findings, true);
            expect(el.querySelector('script, img, iframe, svg:not(.icon), object, embed, form, style')).toBeNull();
            for (const node of el.querySelectorAll('*')) {
                for (const a of node.attributes) {
                    expect(a.name.startsWith('on'), `${p}: ${node.outerHTML.slice(0, 80)}`).toBe(false);
                }
            }
        }
    }, 120000);
});

describe('displayValue', () => {
    it('keeps a port the author wrote', () => {
        expect(displayValue(IP, '45.137.21.9:8443')).toBe('45[.]137[.]21[.]9:8443');
        expect(displayValue(IP, '45.137.21[.]9[:]8443')).toBe('45[.]137[.]21[.]9:8443');
        expect(displayValue(IP, '45.137.21.9')).toBe('45[.]137[.]21[.]9');
        expect(displayValue({type: 'url', value: 'http://a.b:8/x', defanged: 'hxxp[://]a[.]b:8/x'}, 'http://a.b:8/x')).toBe('hxxp[://]a[.]b:8/x');
    });
});

describe('mayHaveIndicators', () => {
    it('skips plain chatter and keeps indicator-looking text', () => {
        expect(mayHaveIndicators('good morning everyone')).toBe(false);
        expect(mayHaveIndicators('see evil[.]com')).toBe(true);
        expect(mayHaveIndicators('evil(dot)com')).toBe(true);
        expect(mayHaveIndicators('CVE-2024-3400 is back')).toBe(true);
        expect(mayHaveIndicators('hash d41d8cd98f00b204e9800998ecf8427e')).toBe(true);
        expect(mayHaveIndicators('T1059 again')).toBe(true);
    });
});
