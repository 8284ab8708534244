// Indicator highlighting inside a rendered (already sanitized) message.
//
// The server finds indicators (`POST /intel/extract`) in the text the reader actually sees:
// `collectText` concatenates the message's visible text nodes, leaving out code, links and
// mentions, with a line break at every block boundary so words of different paragraphs never
// run together. The findings' UTF-16 offsets index that string, so `applyHighlights` can map
// each one back to text nodes and swap the span for a highlight element.
//
// Safety: highlight elements are built with createElement, setAttribute and textContent only.
// Values never pass through an HTML parser, so an indicator-looking payload such as
// `evil[.]com"><img src=x onerror=alert(1)>` stays text.

export interface Finding {
    type: string;
    /** The canonical (refanged) value. */
    value: string;
    /** The canonical value defanged for display. */
    defanged: string;
    /** UTF-16 offsets into the text that was extracted from. */
    start: number;
    end: number;
}

export interface TextMap {
    text: string;
    segments: Array<{node: Text; start: number}>;
}

const BLOCK = new Set(['P', 'DIV', 'LI', 'UL', 'OL', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TABLE', 'THEAD', 'TBODY',
    'TR', 'TD', 'TH', 'HR', 'BR', 'PRE']);
const SKIP = new Set(['CODE', 'PRE', 'A', 'BUTTON', 'SCRIPT', 'STYLE']);

function skipped(el: Element): boolean {
    return SKIP.has(el.tagName) || el.classList.contains('mention') || el.classList.contains('ioc');
}

/** The visible text of a rendered message (code, links and mentions left out) and where each text node starts in it. */
export function collectText(root: Node): TextMap {
    let text = '';
    const segments: TextMap['segments'] = [];
    const walk = (n: Node) => {
        for (let c = n.firstChild; c; c = c.nextSibling) {
            if (c.nodeType === 3) {
                const t = c as Text;
                if (t.data) {
                    segments.push({node: t, start: text.length});
                    text += t.data;
                }
            } else if (c.nodeType === 1) {
                const el = c as Element;
                if (skipped(el)) {
                    text += '\n';
                    continue;
                }
                const block = BLOCK.has(el.tagName);
                if (block) {
                    text += '\n';
                }
                walk(el);
                if (block) {
                    text += '\n';
                }
            }
        }
    };
    walk(root);
    return {text, segments};
}

/** Findings that are well-formed, in order, and do not overlap (the first of two overlapping ones wins). */
export function cleanFindings(findings: Finding[], length: number): Finding[] {
    const ok = findings.filter((f) => f && Number.isInteger(f.start) && Number.isInteger(f.end) && f.start >= 0 && f.end > f.start && f.end <= length &&
        typeof f.value === 'string' && typeof f.type === 'string')
        .sort((a, b) => a.start - b.start || b.end - a.end);
    const out: Finding[] = [];
    let last = -1;
    for (const f of ok) {
        if (f.start >= last) {
            out.push(f);
            last = f.end;
        }
    }
    return out;
}

const LABELS: Record<string, [string, string]> = {
    ipv4: ['IP', 'IPv4 address'],
    ipv6: ['IPv6', 'IPv6 address'],
    ipv4_cidr: ['CIDR', 'IPv4 network'],
    ipv6_cidr: ['CIDR', 'IPv6 network'],
    domain: ['DOM', 'Domain'],
    url: ['URL', 'URL'],
    email: ['MAIL', 'Email address'],
    md5: ['MD5', 'MD5 hash'],
    sha1: ['SHA1', 'SHA-1 hash'],
    sha256: ['SHA256', 'SHA-256 hash'],
    sha512: ['SHA512', 'SHA-512 hash'],
    cve: ['CVE', 'Vulnerability (CVE)'],
    attack_technique: ['ATT&CK', 'ATT&CK technique'],
    attack_tactic: ['ATT&CK', 'ATT&CK tactic'],
    btc: ['BTC', 'Bitcoin address'],
    xmr: ['XMR', 'Monero address'],
    eth: ['ETH', 'Ethereum address'],
    asn: ['ASN', 'Autonomous system'],
    registry_key: ['REG', 'Registry key'],
    file_path: ['PATH', 'File path'],
    file_name: ['FILE', 'File name'],
    ja3: ['JA3', 'JA3 fingerprint'],
    mutex: ['MUTEX', 'Mutex'],
};

/** A short badge for an indicator type ("IP", "SHA256"). */
export function typeBadge(type: string): string {
    return LABELS[type]?.[0] ?? type.toUpperCase().slice(0, 8);
}

/** A readable name for an indicator type ("IPv4 address"). */
export function typeName(type: string): string {
    return LABELS[type]?.[1] ?? type;
}

/**
 * What a highlight shows: the defanged canonical value. A port the author wrote after an
 * address is kept (the canonical value drops it).
 */
export function displayValue(f: Pick<Finding, 'type' | 'value' | 'defanged'>, raw: string): string {
    let d = f.defanged || f.value;
    if (f.type === 'ipv4' || f.type === 'ipv6' || f.type === 'domain') {
        const port = /(?:\[:\]|:)(\d{1,5})\]?$/.exec(raw);
        if (port && !d.endsWith(`:${port[1]}`)) {
            d += `:${port[1]}`;
        }
    }
    return d;
}

const COPY_ICON = 'M9 9h11v11H9zM5 15H4V4h11v1';

function copyIcon(doc: Document): SVGElement {
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    for (const [k, v] of [['class', 'icon'], ['width', '13'], ['height', '13'], ['viewBox', '0 0 24 24'], ['fill', 'none'], ['stroke', 'currentColor'],
        ['stroke-width', '2'], ['stroke-linecap', 'round'], ['stroke-linejoin', 'round'], ['aria-hidden', 'true'], ['focusable', 'false']]) {
        svg.setAttribute(k, v);
    }
    const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', COPY_ICON);
    svg.appendChild(path);
    return svg;
}

/**
 * One highlight: the type badge and the defanged value, plus (when interactive) a button
 * that opens the indicator's actions and a one-click "copy value" button.
 */
export function buildHighlight(doc: Document, f: Finding, raw: string, interactive: boolean): HTMLElement {
    const shown = displayValue(f, raw);
    const wrap = doc.createElement('span');
    wrap.className = 'ioc';
    wrap.setAttribute('data-ioc-type', f.type);
    wrap.setAttribute('data-ioc-value', f.value);
    wrap.setAttribute('data-ioc-defanged', f.defanged || f.value);
    const main = doc.createElement(interactive ? 'button' : 'span');
    main.className = 'ioc-main';
    main.setAttribute('title', `${typeName(f.type)}: ${f.value} (shown defanged)`);
    if (interactive) {
        main.setAttribute('type', 'button');
        main.setAttribute('aria-haspopup', 'menu');
        main.setAttribute('aria-label', `${typeName(f.type)} ${shown}, indicator actions`);
    }
    const badge = doc.createElement('span');
    badge.className = 'ioc-type';
    badge.setAttribute('aria-hidden', 'true');
    badge.textContent = typeBadge(f.type);
    const text = doc.createElement('span');
    text.className = 'ioc-text';
    text.textContent = shown;
    main.append(badge, text);
    wrap.appendChild(main);
    if (interactive) {
        const copy = doc.createElement('button');
        copy.className = 'ioc-copy';
        copy.setAttribute('type', 'button');
        copy.setAttribute('tabindex', '-1');
        copy.setAttribute('aria-label', `Copy ${f.value}`);
        copy.setAttribute('title', 'Copy the value (refanged)');
        copy.appendChild(copyIcon(doc));
        wrap.appendChild(copy);
    }
    return wrap;
}

function locate(map: TextMap, offset: number, isEnd: boolean): {index: number; offset: number} | null {
    const segs = map.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = segs[mid];
        const len = s.node.data.length;
        if (isEnd ? offset <= s.start : offset < s.start) {
            hi = mid - 1;
        } else if (isEnd ? offset > s.start + len : offset >= s.start + len) {
            lo = mid + 1;
        } else {
            return {index: mid, offset: offset - s.start};
        }
    }
    return null;
}

/**
 * Replaces each finding's span with a highlight. Findings are offsets into `map.text`; one
 * that crosses a left-out part (code, a link, a block boundary) is not highlighted. Returns
 * how many were.
 */
export function applyHighlights(map: TextMap, findings: Finding[], interactive: boolean): number {
    const clean = cleanFindings(findings, map.text.length);
    let done = 0;
    // Last first: replacing a span never moves the text nodes and offsets of earlier ones.
    for (let i = clean.length - 1; i >= 0; i--) {
        const f = clean[i];
        const a = locate(map, f.start, false);
        const b = locate(map, f.end, true);
        if (!a || !b) {
            continue;
        }
        let contiguous = true;
        for (let k = a.index; k < b.index; k++) {
            const s = map.segments[k];
            if (s.start + s.node.data.length !== map.segments[k + 1].start) {
                contiguous = false;
                break;
            }
        }
        if (!contiguous) {
            continue;
        }
        const startNode = map.segments[a.index].node;
        const endNode = map.segments[b.index].node;
        const doc = startNode.ownerDocument;
        const raw = map.text.slice(f.start, f.end);
        const range = doc.createRange();
        range.setStart(startNode, a.offset);
        range.setEnd(endNode, b.offset);
        range.deleteContents();
        range.insertNode(buildHighlight(doc, f, raw, interactive));
        done++;
    }
    return done;
}

/** A cheap test for text that cannot hold an indicator, so most chatter skips the server. */
export function mayHaveIndicators(text: string): boolean {
    return /[.:@\\[\]()/]|[0-9a-z]{25}|\b(?:CVE|T\d{4}|TA\d{4}|AS\d+|ASN|dot|at)\b/i.test(text);
}
