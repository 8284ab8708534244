// The actions of an indicator highlighted in a message (copy the value or its defanged form,
// open its details, find the messages that carry it), and small pieces the intel views share.
import {signal} from '@preact/signals';
import {useEffect, useLayoutEffect, useRef, useState} from 'preact/hooks';
import {typeBadge, typeName} from '../lib/highlight';
import {statusLabel} from '../lib/intel';
import {rhs, showToast} from '../state/store';
import {Icon} from './common';

export interface IocRef {
    type: string;
    value: string;
    defanged: string;
}

const menu = signal<{ioc: IocRef; anchor: HTMLElement} | null>(null);

/** Copies text, with a fallback for browsers without the async clipboard. */
export async function copyText(text: string, what: string): Promise<void> {
    let ok = false;
    try {
        await navigator.clipboard.writeText(text);
        ok = true;
    } catch {
        const area = document.createElement('textarea');
        area.value = text;
        area.setAttribute('readonly', '');
        area.style.position = 'fixed';
        area.style.opacity = '0';
        document.body.appendChild(area);
        area.select();
        try {
            ok = document.execCommand('copy');
        } catch {
            ok = false;
        }
        area.remove();
    }
    showToast(ok ? `Copied ${what}` : 'Could not copy: select the text and copy it yourself.');
}

function iocOf(el: Element): IocRef {
    return {type: el.getAttribute('data-ioc-type') || '', value: el.getAttribute('data-ioc-value') || '', defanged: el.getAttribute('data-ioc-defanged') || ''};
}

/**
 * Handles clicks inside rendered messages: the small copy button copies the canonical value
 * at once; the highlight itself opens the actions menu. Returns whether it handled the click.
 */
export function onIocClick(e: MouseEvent): boolean {
    const target = e.target as Element | null;
    const wrap = target?.closest?.('.ioc');
    if (!wrap) {
        return false;
    }
    const ioc = iocOf(wrap);
    if (target!.closest('.ioc-copy')) {
        e.preventDefault();
        e.stopPropagation();
        void copyText(ioc.value, ioc.value);
        return true;
    }
    const main = target!.closest('button.ioc-main') as HTMLElement | null;
    if (main) {
        e.preventDefault();
        e.stopPropagation();
        menu.value = menu.value?.anchor === main ? null : {ioc, anchor: main};
        return true;
    }
    return false;
}

/** Opens an indicator's detail in the right-hand panel, remembering what was open. */
export function showIndicator(ioc: {type: string; value: string} | {id: string}) {
    const back = rhs.value?.kind === 'indicator' ? rhs.value.back : rhs.value;
    rhs.value = 'id' in ioc ? {kind: 'indicator', id: ioc.id, back} : {kind: 'indicator', lookup: {type: ioc.type, value: ioc.value}, back};
}

export function IocMenu() {
    const m = menu.value;
    const ref = useRef<HTMLDivElement>(null);
    const [pos, setPos] = useState<{left: number; top: number} | null>(null);
    const place = () => {
        if (!m) {
            return;
        }
        if (!document.contains(m.anchor)) {
            // The message re-rendered or went away.
            menu.value = null;
            return;
        }
        const r = m.anchor.getBoundingClientRect();
        const w = ref.current?.offsetWidth ?? 260;
        const h = ref.current?.offsetHeight ?? 180;
        const below = r.bottom + 4 + h < window.innerHeight;
        setPos({left: Math.max(8, Math.min(r.left, window.innerWidth - w - 8)), top: below ? r.bottom + 4 : Math.max(8, r.top - h - 4)});
    };
    useLayoutEffect(() => {
        place();
        (ref.current?.querySelector('[role=menuitem]') as HTMLElement | null)?.focus({preventScroll: true});
    }, [m]);
    useEffect(() => {
        if (!m) {
            return undefined;
        }
        const close = (e: Event) => {
            if (!ref.current?.contains(e.target as Node) && e.target !== m.anchor && !m.anchor.contains(e.target as Node)) {
                menu.value = null;
            }
        };
        // The menu follows its highlight when the list scrolls or the window resizes.
        document.addEventListener('mousedown', close);
        window.addEventListener('resize', place);
        document.addEventListener('scroll', place, true);
        return () => {
            document.removeEventListener('mousedown', close);
            window.removeEventListener('resize', place);
            document.removeEventListener('scroll', place, true);
        };
    }, [m]);
    if (!m) {
        return null;
    }
    const {ioc, anchor} = m;
    const done = (refocus = true) => {
        menu.value = null;
        if (refocus && document.contains(anchor)) {
            anchor.focus();
        }
    };
    const items: Array<{label: string; detail?: string; icon: string; run: () => void}> = [
        {label: 'Copy value', detail: ioc.value, icon: 'copy', run: () => void copyText(ioc.value, ioc.value)},
        {label: 'Copy defanged', detail: ioc.defanged, icon: 'copy', run: () => void copyText(ioc.defanged, ioc.defanged)},
        {label: 'Indicator details', icon: 'shield', run: () => showIndicator(ioc)},
        {label: 'Messages with this indicator', icon: 'search', run: () => {
            rhs.value = {kind: 'search', terms: ioc.value};
        }},
    ];
    return (
        <div class="ioc-menu" role="menu" aria-label={`${typeName(ioc.type)} ${ioc.defanged}`} ref={ref}
            style={pos ? {left: `${pos.left}px`, top: `${pos.top}px`} : {left: '-9999px', top: '0px'}}
            onKeyDown={(e) => {
                const list = Array.from(ref.current!.querySelectorAll<HTMLElement>('[role=menuitem]'));
                const at = list.indexOf(document.activeElement as HTMLElement);
                if (e.key === 'Escape') {
                    e.preventDefault();
                    e.stopPropagation();
                    done();
                } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    list[(at + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length]?.focus();
                } else if (e.key === 'Home' || e.key === 'End') {
                    e.preventDefault();
                    list[e.key === 'Home' ? 0 : list.length - 1]?.focus();
                } else if (e.key === 'Tab') {
                    done(false);
                }
            }}>
            <div class="ioc-menu-head" aria-hidden="true"><TypeBadge type={ioc.type}/> <span class="mono">{ioc.defanged}</span></div>
            {items.map((it) => (
                <button key={it.label} type="button" role="menuitem" class="menu-item" onClick={() => {
                    it.run();
                    done(it.icon === 'copy');
                }}>
                    <Icon name={it.icon} size={15}/>
                    <span class="menu-label">{it.label}{it.detail && <span class="menu-detail mono">{it.detail}</span>}</span>
                </button>
            ))}
        </div>
    );
}

export function TypeBadge({type}: {type: string}) {
    return <span class="ioc-type-badge" title={typeName(type)}>{typeBadge(type)}</span>;
}

export function StatusChip({status}: {status: string}) {
    return <span class={`status-chip status-${status}`}>{statusLabel(status)}</span>;
}

export function Confidence({value}: {value: number}) {
    return (
        <span class="confidence" title={`Confidence ${value} of 100`} aria-label={`Confidence ${value} of 100`}>
            <span class="confidence-bar" aria-hidden="true"><span style={{width: `${Math.max(0, Math.min(100, value))}%`}}/></span>
            <span aria-hidden="true">{value}</span>
        </span>
    );
}

export function CopyButtons({value, defanged}: {value: string; defanged: string}) {
    return (
        <div class="copy-row">
            <button type="button" class="btn small-btn" onClick={() => void copyText(value, value)} data-copy-value={value}>
                <Icon name="copy" size={14}/> Copy value
            </button>
            <button type="button" class="btn small-btn" onClick={() => void copyText(defanged, defanged)}>
                <Icon name="copy" size={14}/> Copy defanged
            </button>
        </div>
    );
}
