// Intel state that needs no DOM or network: the API's shapes, merging review results into
// lists, the review form's rules, and the batching extractor behind message highlighting.
import type {Finding} from './highlight';
import {mayHaveIndicators} from './highlight';
import {TLPS, normalizeTlp, type Tlp} from './tlp';

export type IndicatorStatus = 'candidate' | 'confirmed' | 'rejected' | 'revoked';

export interface Indicator {
    id: string;
    type: string;
    value: string;
    defanged: string;
    status: IndicatorStatus;
    confidence: number;
    tags: string[];
    kill_chain_phase: string;
    tlp_floor: string;
    valid_until: number;
    first_seen: number;
    last_seen?: number;
    create_at: number;
    update_at: number;
    sighting_count?: number;
    channel_count?: number;
    reviewed_by: string;
    reviewed_at: number;
    published_at: number;
}

export interface Sighting {
    id: number | string;
    post_id: string;
    channel_id: string;
    team_id: string;
    user_id: string;
    tlp: string;
    raw: string;
    seen_at: number;
}

export interface IndicatorDetail extends Indicator {
    sightings: Sighting[];
    can_review: boolean;
}

export const STATUSES: IndicatorStatus[] = ['candidate', 'confirmed', 'rejected', 'revoked'];

export const STATUS_LABEL: Record<IndicatorStatus, string> = {
    candidate: 'Candidate',
    confirmed: 'Confirmed',
    rejected: 'Rejected',
    revoked: 'Revoked',
};

export const KILL_CHAIN_PHASES = ['reconnaissance', 'weaponization', 'delivery', 'exploitation', 'installation', 'command-and-control',
    'actions-on-objectives'];

/** Types the analyst page filters by, most common first. */
export const FILTER_TYPES = ['ipv4', 'ipv6', 'ipv4_cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'sha512', 'cve', 'attack_technique',
    'btc', 'xmr', 'eth', 'asn', 'registry_key', 'file_path', 'file_name', 'ja3', 'mutex'];

/** Default export lifetime by type, as the server applies it when confirming without one. */
export function defaultLifetimeDays(type: string): number {
    if (['ipv4', 'ipv6', 'ipv4_cidr', 'ipv6_cidr'].includes(type)) {
        return 30;
    }
    if (type === 'url') {
        return 60;
    }
    if (type === 'domain' || type === 'email') {
        return 90;
    }
    if (['md5', 'sha1', 'sha256', 'sha512', 'ja3'].includes(type)) {
        return 365;
    }
    return 180;
}

export function statusLabel(s: string): string {
    return STATUS_LABEL[s as IndicatorStatus] ?? s;
}

/**
 * Puts a reviewed indicator into a list. The review answer carries no figures (they depend on
 * who reads), so the list's sighting and channel counts are kept.
 */
export function mergeIndicator<T extends Indicator>(list: T[], updated: Indicator): T[] {
    return list.map((i) => i.id === updated.id ? {...i, ...updated, sighting_count: i.sighting_count, channel_count: i.channel_count,
        last_seen: i.last_seen ?? updated.last_seen} : i);
}

/** The next row to work on after `from`: the next candidate below, else above, else `from`. */
export function nextCandidate(list: Indicator[], from: number): number {
    for (let i = from + 1; i < list.length; i++) {
        if (list[i].status === 'candidate') {
            return i;
        }
    }
    for (let i = 0; i < from; i++) {
        if (list[i].status === 'candidate') {
            return i;
        }
    }
    return Math.min(from, list.length - 1);
}

/** Tags typed as "a, b, c": trimmed, de-duplicated, and checked as the server will. */
export function parseTags(raw: string): {tags: string[]; error: string} {
    const tags = [...new Set(raw.split(',').map((t) => t.trim()).filter(Boolean))];
    if (tags.length > 20) {
        return {tags, error: 'At most 20 tags.'};
    }
    if (tags.some((t) => t.length > 64 || t.includes('"'))) {
        return {tags, error: 'Tags are at most 64 characters, without double quotes.'};
    }
    return {tags, error: ''};
}

const rank = (t: Tlp) => TLPS.indexOf(t);

/** The strictest of several labels. */
export function strictest(labels: unknown[]): Tlp {
    return labels.map(normalizeTlp).reduce((a, b) => rank(b) > rank(a) ? b : a, 'CLEAR' as Tlp);
}

/** Labels an analyst may choose: the indicator's current effective label or stricter. */
export function stricterLabels(current: Tlp): Tlp[] {
    return TLPS.filter((t) => rank(t) >= rank(current));
}

export interface ReviewForm {
    confidence: number;
    tags: string;
    kill_chain_phase: string;
    tlp: string;
    expires_in_days: string;
    allowlist: boolean;
    reason: string;
}

export function formFor(i: Indicator, effective: Tlp): ReviewForm {
    return {
        confidence: i.confidence,
        tags: i.tags.join(', '),
        kill_chain_phase: i.kill_chain_phase || '',
        tlp: effective,
        expires_in_days: '',
        allowlist: false,
        reason: '',
    };
}

export type ReviewAction = 'confirm' | 'reject' | 'revoke' | 'update';

/**
 * The request body for a decision: only what the analyst changed, so a quick "confirm"
 * does not overwrite fields with the form's defaults.
 */
export function reviewBody(action: ReviewAction, i: Indicator, effective: Tlp, f: ReviewForm): {body: Record<string, unknown>; error: string} {
    const body: Record<string, unknown> = {action};
    if (f.confidence !== i.confidence) {
        if (!Number.isInteger(f.confidence) || f.confidence < 0 || f.confidence > 100) {
            return {body, error: 'Confidence is a whole number from 0 to 100.'};
        }
        body.confidence = f.confidence;
    }
    const {tags, error} = parseTags(f.tags);
    if (error) {
        return {body, error};
    }
    if (tags.join('\n') !== i.tags.join('\n')) {
        body.tags = tags;
    }
    if (f.kill_chain_phase !== (i.kill_chain_phase || '')) {
        body.kill_chain_phase = f.kill_chain_phase;
    }
    const tlp = normalizeTlp(f.tlp);
    if (rank(tlp) > rank(effective)) {
        body.tlp = tlp;
    }
    if (f.expires_in_days.trim() !== '') {
        const days = Number(f.expires_in_days);
        if (!Number.isInteger(days) || days < 0 || days > 3650) {
            return {body, error: 'Expiry is a whole number of days from 0 (none) to 3650.'};
        }
        body.expires_in_days = days;
    }
    if (action === 'reject' && f.allowlist) {
        body.allowlist = true;
    }
    if (f.reason.trim()) {
        body.reason = f.reason.trim().slice(0, 1000);
    }
    return {body, error: ''};
}

// ---- batched extraction ------------------------------------------------------------------

/** Joins texts in one request; findings never cross a blank line. */
const SEPARATOR = '\n\n\n';

export interface Extractor {
    (text: string): Promise<Finding[]>;
    /** Findings already known for a text, without waiting. */
    peek(text: string): Finding[] | undefined;
}

/**
 * Extraction for highlighting: texts asked for within one tick go to the server together
 * (one request for a whole page of messages), each text is asked about once (results are
 * cached, a bounded number of them), and text that cannot hold an indicator never leaves
 * the browser. A failed request leaves those texts unhighlighted and retries them later.
 */
export function makeExtractor(fetcher: (text: string) => Promise<Finding[]>, opts: {maxChars?: number; cacheSize?: number; delay?: number} = {}): Extractor {
    const maxChars = opts.maxChars ?? 50000;
    const cacheSize = opts.cacheSize ?? 3000;
    const cache = new Map<string, Finding[]>();
    const inflight = new Map<string, Promise<Finding[]>>();
    let queue: Array<{text: string; resolve: (f: Finding[]) => void}> = [];
    let timer: ReturnType<typeof setTimeout> | null = null;

    const remember = (text: string, found: Finding[]) => {
        cache.set(text, found);
        if (cache.size > cacheSize) {
            cache.delete(cache.keys().next().value as string);
        }
    };

    const send = async (batch: typeof queue) => {
        const offsets: number[] = [];
        let joined = '';
        for (const item of batch) {
            if (joined) {
                joined += SEPARATOR;
            }
            offsets.push(joined.length);
            joined += item.text;
        }
        let found: Finding[];
        try {
            found = await fetcher(joined);
        } catch {
            for (const item of batch) {
                inflight.delete(item.text);
                item.resolve([]);
            }
            return;
        }
        const per: Finding[][] = batch.map(() => []);
        let k = 0;
        for (const f of [...found].sort((a, b) => a.start - b.start)) {
            while (k < batch.length - 1 && f.start >= offsets[k + 1]) {
                k++;
            }
            const base = offsets[k];
            if (f.start >= base && f.end <= base + batch[k].text.length) {
                per[k].push({...f, start: f.start - base, end: f.end - base});
            }
        }
        batch.forEach((item, i) => {
            remember(item.text, per[i]);
            inflight.delete(item.text);
            item.resolve(per[i]);
        });
    };

    const flush = () => {
        timer = null;
        const all = queue;
        queue = [];
        let batch: typeof queue = [];
        let size = 0;
        for (const item of all) {
            if (batch.length && size + item.text.length + SEPARATOR.length > maxChars) {
                void send(batch);
                batch = [];
                size = 0;
            }
            batch.push(item);
            size += item.text.length + SEPARATOR.length;
        }
        if (batch.length) {
            void send(batch);
        }
    };

    const extract = ((text: string) => {
        if (!text || text.length > maxChars || !mayHaveIndicators(text)) {
            return Promise.resolve([]);
        }
        const known = cache.get(text);
        if (known) {
            return Promise.resolve(known);
        }
        const pending = inflight.get(text);
        if (pending) {
            return pending;
        }
        const p = new Promise<Finding[]>((resolve) => {
            queue.push({text, resolve});
        });
        inflight.set(text, p);
        if (!timer) {
            timer = setTimeout(flush, opts.delay ?? 0);
        }
        return p;
    }) as Extractor;
    extract.peek = (text: string) => !text || !mayHaveIndicators(text) ? [] : cache.get(text);
    return extract;
}
