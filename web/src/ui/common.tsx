// Small shared pieces: icons, avatars, names with organizations, TLP labels.
import type {ComponentChildren} from 'preact';
import {normalizeTlp, tlpClass, tlpMeaning} from '../lib/tlp';
import {displayName} from '../state/store';
import type {User} from '../state/types';

const PATHS: Record<string, string> = {
    hash: 'M5 9h14M5 15h14M10 3 8 21M16 3l-2 18',
    lock: 'M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4',
    search: 'M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14zM21 21l-5-5',
    users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 12 0v1M16 3.5a4 4 0 0 1 0 7.5M22 21v-1a6 6 0 0 0-4-5.6',
    pin: 'M9 4h6l-1 6 4 3v2H6v-2l4-3zM12 15v6',
    reply: 'M10 8 5 12l5 4M5 12h9a5 5 0 0 1 5 5v2',
    smile: 'M12 21a9 9 0 1 1 0-18 9 9 0 0 1 0 18zM8.5 14a4 4 0 0 0 7 0M9 9.5h.01M15 9.5h.01',
    edit: 'M4 20h4L19 9l-4-4L4 16zM14 6l4 4',
    trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
    close: 'M6 6l12 12M18 6 6 18',
    clip: 'M20 11.5 12 19.5a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17.2a1.7 1.7 0 0 1-2.4-2.4L15 7.1',
    menu: 'M4 7h16M4 12h16M4 17h16',
    plus: 'M12 5v14M5 12h14',
    send: 'M4 12 20 4l-6 16-3-7z',
    logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
    globe: 'M12 21a9 9 0 1 1 0-18 9 9 0 0 1 0 18zM3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18',
    message: 'M4 5h16v11H9l-5 4z',
    info: 'M12 21a9 9 0 1 1 0-18 9 9 0 0 1 0 18zM12 11v5M12 8h.01',
    file: 'M6 3h8l4 4v14H6zM14 3v4h4',
    dots: 'M5 12h.01M12 12h.01M19 12h.01',
    shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9 12l2 2 4-4',
    copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
    back: 'M15 5l-7 7 7 7',
    check: 'M5 12l5 5 9-10',
    key: 'M15 3a6 6 0 1 1-5.6 8.2L3 17.6V21h3.4l.6-.6V18h2.4l1.9-1.9A6 6 0 0 1 15 3zM16.5 7.5h.01',
    jump: 'M7 17 17 7M9 7h8v8',
};

export function Icon({name, size = 18}: {name: keyof typeof PATHS | string; size?: number}) {
    return (
        <svg class="icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
            <path d={PATHS[name] ?? ''}/>
        </svg>
    );
}

function hue(id: string): number {
    let h = 0;
    for (let i = 0; i < id.length; i++) {
        h = (h * 31 + id.charCodeAt(i)) % 360;
    }
    return h;
}

export function initials(u: User | undefined): string {
    const name = displayName(u, '?');
    const parts = name.split(/\s+/).filter(Boolean);
    const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : name.slice(0, 2);
    return letters.toUpperCase();
}

export function Avatar({user, size = 32}: {user: User | undefined; size?: number}) {
    const style = {width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px`, background: `hsl(${hue(user?.id ?? '')} 45% 42%)`};
    return <span class="avatar" style={style} aria-hidden="true">{initials(user)}</span>;
}

/** A person's name with their organization beside it, as everywhere in the app. */
export function UserName({user, showUsername = false}: {user: User | undefined; showUsername?: boolean}) {
    return (
        <span class="user-name">
            <span class="name">{displayName(user)}</span>
            {showUsername && user && <span class="username">@{user.username}</span>}
            {user?.organization && <span class="org" title="Organization">{user.organization}</span>}
        </span>
    );
}

export function TlpBadge({tlp, compact = false}: {tlp: unknown; compact?: boolean}) {
    const t = normalizeTlp(tlp);
    return (
        <span class={tlpClass(t) + (compact ? ' tlp-compact' : '')} title={`TLP:${t}. ${tlpMeaning(t)}`} aria-label={`Traffic Light Protocol: ${t}`}>
            TLP:{t}
        </span>
    );
}

export function IconButton({label, icon, onClick, pressed, class: cls = '', disabled, children}: {
    label: string; icon: string; onClick: (e: MouseEvent) => void; pressed?: boolean;
    class?: string; disabled?: boolean; children?: ComponentChildren;
}) {
    return (
        <button type="button" class={`icon-btn ${cls}`} aria-label={label} title={label} onClick={onClick} disabled={disabled}
            aria-pressed={pressed === undefined ? undefined : pressed}>
            <Icon name={icon}/>
            {children}
        </button>
    );
}

export function ChannelIcon({type}: {type: string}) {
    if (type === 'P') {
        return <Icon name="lock" size={15}/>;
    }
    if (type === 'D' || type === 'G') {
        return <Icon name="message" size={15}/>;
    }
    return <Icon name="hash" size={15}/>;
}
