import {describe, expect, it} from 'vitest';
import {mentionsUser, renderMarkdown} from '../src/lib/markdown';
import {CORPUS} from '../e2e/xss-corpus.mjs';

function dom(html: string): HTMLElement {
    const div = document.createElement('div');
    div.innerHTML = html;
    return div;
}

describe('renderMarkdown', () => {
    it('renders emphasis, code blocks and tables', () => {
        const html = renderMarkdown('**bold** _it_\n\n```\nconst x = "<b>";\n```\n\n| a | b |\n|---|:-:|\n| 1 | 2 |');
        const d = dom(html);
        expect(d.querySelector('strong')?.textContent).toBe('bold');
        expect(d.querySelector('pre code')?.textContent).toBe('const x = "<b>";\n');
        expect(d.querySelector('table td')?.textContent).toBe('1');
        expect(d.querySelector('th[style]')?.getAttribute('style')).toBe('text-align:center');
    });

    it('never links raw IPs, domains or bare URLs (defanged display)', () => {
        const d = dom(renderMarkdown('beacon 45.137.21.9 evil.example https://evil.example/x hxxp://evil[.]example'));
        expect(d.querySelectorAll('a').length).toBe(0);
        expect(d.textContent).toContain('https://evil.example/x');
    });

    it('links explicit http links, opening safely in a new tab', () => {
        const a = dom(renderMarkdown('[report](https://example.com/r) and <https://example.org>')).querySelectorAll('a');
        expect(a.length).toBe(2);
        expect(a[0].getAttribute('href')).toBe('https://example.com/r');
        expect(a[0].getAttribute('rel')).toBe('noopener noreferrer nofollow');
        expect(a[0].getAttribute('target')).toBe('_blank');
    });

    it('keeps code spans verbatim', () => {
        const d = dom(renderMarkdown('`hxxp://evil[.]example/<script>` and `@alice`'));
        const codes = d.querySelectorAll('code');
        expect(codes[0].textContent).toBe('hxxp://evil[.]example/<script>');
        expect(codes[1].textContent).toBe('@alice');
        expect(codes[1].querySelector('.mention')).toBeNull();
    });

    it('does not load images; markdown images stay text', () => {
        const d = dom(renderMarkdown('![pixel](https://tracker.example/p.gif)'));
        expect(d.querySelector('img')).toBeNull();
    });

    it('highlights mentions without linking them', () => {
        const d = dom(renderMarkdown('hi @bob, mail me at x@bob.example'));
        const m = d.querySelectorAll('.mention');
        expect(m.length).toBe(1);
        expect(m[0].getAttribute('data-mention')).toBe('bob');
    });

    it('rejects javascript:, data: and vbscript: links', () => {
        for (const src of ['[x](javascript:alert(1))', '[x](data:text/html,hi)', '[x](vbscript:x)', '<a href="javascript:alert(1)">x</a>']) {
            expect(dom(renderMarkdown(src)).querySelector('a[href]')).toBeNull();
        }
    });

    it(`leaves no script-capable markup for any of the ${CORPUS.length} corpus payloads`, () => {
        for (const payload of CORPUS) {
            const d = dom(renderMarkdown(payload));
            for (const el of Array.from(d.querySelectorAll('*'))) {
                expect(['script', 'iframe', 'object', 'embed', 'svg', 'math', 'img', 'style', 'form', 'base', 'meta', 'link'])
                    .not.toContain(el.tagName.toLowerCase());
                for (const attr of Array.from(el.attributes)) {
                    expect(attr.name.startsWith('on'), `${attr.name} from ${payload}`).toBe(false);
                    if (attr.name === 'href') {
                        expect(attr.value).toMatch(/^(https?:|mailto:)/i);
                    }
                }
            }
        }
    });
});

describe('mentionsUser', () => {
    it('finds @name and channel-wide mentions', () => {
        expect(mentionsUser('hey @alice.', 'alice')).toBe(true);
        expect(mentionsUser('@channel heads up', 'bob')).toBe(true);
        expect(mentionsUser('mail alice@example.org', 'example')).toBe(false);
        expect(mentionsUser('@alicex', 'alice')).toBe(false);
    });
});
