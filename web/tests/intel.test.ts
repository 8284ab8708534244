import {describe, expect, it, vi} from 'vitest';
import type {Finding} from '../src/lib/highlight';
import {
    makeExtractor, mergeIndicator, nextCandidate, parseTags, reviewBody, stricterLabels, strictest, formFor, type Indicator,
} from '../src/lib/intel';

function ind(id: string, status: Indicator['status'] = 'candidate', extra: Partial<Indicator> = {}): Indicator {
    return {id, type: 'ipv4', value: '45.137.21.9', defanged: '45[.]137[.]21[.]9', status, confidence: 90, tags: [], kill_chain_phase: '',
        tlp_floor: 'CLEAR', valid_until: 0, first_seen: 1, create_at: 1, update_at: 1, reviewed_by: '', reviewed_at: 0, published_at: 0, ...extra};
}

describe('review state', () => {
    it('merges a decision into a list, keeping the readable figures', () => {
        const list = [ind('a', 'candidate', {sighting_count: 3, channel_count: 2, last_seen: 50}), ind('b')];
        const out = mergeIndicator(list, ind('a', 'confirmed', {update_at: 9}));
        expect(out[0].status).toBe('confirmed');
        expect(out[0].sighting_count).toBe(3);
        expect(out[0].channel_count).toBe(2);
        expect(out[0].last_seen).toBe(50);
        expect(out[1]).toBe(list[1]);
    });

    it('moves to the next candidate, wrapping, else stays', () => {
        const list = [ind('a'), ind('b', 'confirmed'), ind('c'), ind('d', 'rejected')];
        expect(nextCandidate(list, 0)).toBe(2);
        expect(nextCandidate(list, 2)).toBe(0);
        expect(nextCandidate([ind('a', 'confirmed'), ind('b', 'rejected')], 1)).toBe(1);
    });

    it('parses tags as the server checks them', () => {
        expect(parseTags(' ransomware, lockbit,,ransomware ').tags).toEqual(['ransomware', 'lockbit']);
        expect(parseTags('a"b').error).not.toBe('');
        expect(parseTags(Array.from({length: 21}, (_, i) => `t${i}`).join(',')).error).not.toBe('');
    });

    it('offers only the current label or stricter ones', () => {
        expect(stricterLabels('AMBER')).toEqual(['AMBER', 'AMBER+STRICT', 'RED']);
        expect(strictest(['CLEAR', 'GREEN', 'tlp:amber'])).toBe('AMBER');
        expect(strictest([])).toBe('CLEAR');
    });

    it('sends only what the analyst changed', () => {
        const i = ind('a', 'candidate', {tags: ['c2'], confidence: 90});
        const form = formFor(i, 'GREEN');
        expect(reviewBody('confirm', i, 'GREEN', form)).toEqual({body: {action: 'confirm'}, error: ''});
        const changed = {...form, confidence: 70, tags: 'c2, apt', kill_chain_phase: 'delivery', tlp: 'AMBER', expires_in_days: '14', reason: ' seen twice '};
        expect(reviewBody('confirm', i, 'GREEN', changed).body).toEqual({action: 'confirm', confidence: 70, tags: ['c2', 'apt'],
            kill_chain_phase: 'delivery', tlp: 'AMBER', expires_in_days: 14, reason: 'seen twice'});
        // A label looser than the channels' is never sent; the allow-list goes only with a rejection.
        expect(reviewBody('confirm', i, 'GREEN', {...form, tlp: 'CLEAR', allowlist: true}).body).toEqual({action: 'confirm'});
        expect(reviewBody('reject', i, 'GREEN', {...form, allowlist: true}).body).toEqual({action: 'reject', allowlist: true});
        expect(reviewBody('confirm', i, 'GREEN', {...form, expires_in_days: '4000'}).error).not.toBe('');
        expect(reviewBody('confirm', i, 'GREEN', {...form, confidence: 101}).error).not.toBe('');
    });
});

describe('makeExtractor', () => {
    const finding = (text: string, raw: string, type = 'domain'): Finding => {
        const start = text.indexOf(raw);
        return {type, value: raw, defanged: raw, start, end: start + raw.length};
    };
    /** A fake server: finds "evil.com" and "45.137.21.9" anywhere in the text it gets. */
    const server = vi.fn(async (text: string) => {
        const out: Finding[] = [];
        for (const m of text.matchAll(/evil\.com|45\.137\.21\.9/g)) {
            out.push({type: 'x', value: m[0], defanged: m[0], start: m.index!, end: m.index! + m[0].length});
        }
        return out;
    });

    it('sends texts asked for together in one request and splits the answer back', async () => {
        server.mockClear();
        const ex = makeExtractor(server);
        const texts = ['a evil.com', 'nothing here', '😀 45.137.21.9 and evil.com', 'plain words'];
        const results = await Promise.all(texts.map((t) => ex(t)));
        expect(server).toHaveBeenCalledTimes(1);
        // "plain words" and "nothing here" cannot hold an indicator and never leave the browser.
        expect(server.mock.calls[0][0]).not.toContain('plain words');
        expect(results[0]).toEqual([finding(texts[0], 'evil.com', 'x')]);
        expect(results[1]).toEqual([]);
        expect(results[2].map((f) => texts[2].slice(f.start, f.end))).toEqual(['45.137.21.9', 'evil.com']);
        expect(results[3]).toEqual([]);
    });

    it('caches by text and shares requests in flight', async () => {
        server.mockClear();
        const ex = makeExtractor(server);
        const [a, b] = await Promise.all([ex('x evil.com'), ex('x evil.com')]);
        expect(a).toEqual(b);
        expect(ex.peek('x evil.com')).toEqual(a);
        await ex('x evil.com');
        expect(server).toHaveBeenCalledTimes(1);
        expect(ex.peek('never asked.')).toBeUndefined();
        expect(ex.peek('no dots')).toEqual([]);
    });

    it('splits large batches and survives a failed request', async () => {
        const calls: string[] = [];
        let fail = true;
        const ex = makeExtractor(async (t) => {
            calls.push(t);
            if (fail) {
                throw new Error('down');
            }
            return server(t);
        }, {maxChars: 40});
        const texts = ['one evil.com', 'two evil.com', 'three evil.com'];
        expect(await Promise.all(texts.map((t) => ex(t)))).toEqual([[], [], []]);
        expect(calls.length).toBe(2);
        // Not cached after a failure: asked again later.
        fail = false;
        const again = await ex('one evil.com');
        expect(again.length).toBe(1);
    });
});
