// Message rendering: markdown-it with raw HTML off and no auto-linking, then DOMPurify with
// an allow-list. Two layers on purpose: markdown-it decides structure, DOMPurify guarantees
// that whatever markdown-it (or a future plugin) emits cannot carry script.
//
// Defanged display: bare URLs, domains and IP addresses are never turned into links; only
// links the author wrote explicitly (`[text](url)` or `<https://…>`) are clickable, and only
// for http, https and mailto. Images are never loaded inline (a tracking pixel would leak
// the reader's address); they render as links.
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

const md = new MarkdownIt({html: false, linkify: false, typographer: false, breaks: true});
md.disable(['image'], true);

const SAFE_URL = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_URL.test(url.trim());

const escapeHtml = md.utils.escapeHtml;

// `@username` mentions become highlighted spans (text only: never links).
md.renderer.rules.text = (tokens, idx) => {
    const escaped = escapeHtml(tokens[idx].content);
    return escaped.replace(/(^|[^\w@.&])@([a-z0-9][a-z0-9._-]{0,63})/gi, (_m, pre: string, name: string) => {
        const clean = name.replace(/[._-]+$/, '');
        const rest = name.slice(clean.length);
        return `${pre}<span class="mention" data-mention="${clean.toLowerCase()}">@${clean}</span>${rest}`;
    });
};

const ALLOWED_TAGS = [
    'p', 'br', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'data-mention', 'start', 'style'];

let hooked = false;
function installHooks() {
    if (hooked) {
        return;
    }
    hooked = true;
    DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
        // Table alignment is the only style markdown-it emits; keep nothing else.
        if (data.attrName === 'style') {
            data.keepAttr = node.nodeName === 'TH' || node.nodeName === 'TD' ? /^text-align:(left|right|center)$/.test(data.attrValue) : false;
        }
        if (data.attrName === 'class') {
            data.keepAttr = data.attrValue === 'mention' || /^language-[\w-]+$/.test(data.attrValue);
        }
        if (data.attrName === 'href') {
            data.keepAttr = SAFE_URL.test(data.attrValue.trim());
        }
    });
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
        if (node.nodeName === 'A') {
            node.setAttribute('target', '_blank');
            node.setAttribute('rel', 'noopener noreferrer nofollow');
        }
    });
}

const CONFIG = {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ADD_ATTR: ['target', 'rel'],
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
};

export function sanitize(html: string): string {
    installHooks();
    return DOMPurify.sanitize(html, CONFIG);
}

/** Renders a message to sanitized HTML. */
export function renderMarkdown(text: string): string {
    return sanitize(md.render(text));
}

/**
 * Renders a message to a sanitized DOM fragment: the same output as `renderMarkdown`, as
 * nodes, so indicator highlights can be added without parsing HTML a second time.
 */
export function renderMarkdownFragment(text: string): DocumentFragment {
    installHooks();
    return DOMPurify.sanitize(md.render(text), {...CONFIG, RETURN_DOM_FRAGMENT: true});
}

/** Whether the message mentions `username` (or @all/@channel/@here). */
export function mentionsUser(text: string, username: string): boolean {
    const re = /(^|[^\w@.])@([a-z0-9][a-z0-9._-]*)/gi;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
        const name = m[2].replace(/[._-]+$/, '').toLowerCase();
        if (name === username.toLowerCase() || name === 'all' || name === 'channel' || name === 'here') {
            return true;
        }
    }
    return false;
}
