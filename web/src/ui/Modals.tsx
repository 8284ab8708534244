// Dialogs: one host, one signal. Each dialog traps nothing fancy: it focuses its first field,
// closes on Escape or the backdrop, and gives focus back to where it came from.
import {signal} from '@preact/signals';
import type {ComponentChildren} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import {TLPS, normalizeTlp, tlpMeaning} from '../lib/tlp';
import {
    createChannel, deletePost, errorText, joinChannel, leaveChannel, listUsers, openDirect, patchChannel, publicChannels, searchUsers,
} from '../state/actions';
import {channelPath, navigate} from '../state/router';
import {channels, currentTeam, displayName, me, myMembers, myTeamMembers, showToast} from '../state/store';
import type {Channel, Team, User} from '../state/types';
import {Avatar, IconButton, TlpBadge, UserName} from './common';
import {CreateTeamForm, slugify} from './SelectTeam';

export type ModalKind =
    | {kind: 'create-channel'}
    | {kind: 'browse'}
    | {kind: 'directory'}
    | {kind: 'team'}
    | {kind: 'delete-post'; postId: string}
    | {kind: 'edit-channel'; channelId: string};

const modal = signal<ModalKind | null>(null);
let returnFocus: HTMLElement | null = null;

export function openModal(m: ModalKind): void {
    returnFocus = document.activeElement as HTMLElement | null;
    modal.value = m;
}

export function closeModal(): void {
    modal.value = null;
    const el = returnFocus;
    returnFocus = null;
    requestAnimationFrame(() => {
        if (el && document.contains(el)) {
            el.focus();
        } else {
            document.getElementById('composer-input')?.focus();
        }
    });
}

function Modal({title, children, wide = false}: {title: string; children: ComponentChildren; wide?: boolean}) {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        const first = ref.current?.querySelector('input, select, textarea, button:not(.modal-close)') as HTMLElement | null;
        first?.focus();
    }, []);
    const onKey = (e: KeyboardEvent) => {
        if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            closeModal();
        }
        if (e.key === 'Tab' && ref.current) {
            // Keep Tab inside the dialog.
            const items = Array.from(ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select, textarea'))
                .filter((el) => el.offsetParent !== null);
            if (items.length === 0) {
                return;
            }
            const first = items[0];
            const last = items[items.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        }
    };
    return (
        <div class="modal-backdrop" onMouseDown={(e) => {
            if (e.target === e.currentTarget) {
                closeModal();
            }
        }}>
            <div class={`modal${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby="modal-title" ref={ref} onKeyDown={onKey}>
                <header class="modal-head">
                    <h2 id="modal-title">{title}</h2>
                    <IconButton class="modal-close" label="Close dialog" icon="close" onClick={closeModal}/>
                </header>
                <div class="modal-body">{children}</div>
            </div>
        </div>
    );
}

function goTo(c: Channel) {
    const team = currentTeam.value;
    if (team) {
        navigate(channelPath(team.name, c.name));
    }
}

function TlpSelect({value, onChange, id, disabled}: {value: string; onChange: (v: string) => void; id: string; disabled?: boolean}) {
    return (
        <>
            <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value)} aria-describedby={`${id}-help`}>
                {TLPS.map((t) => <option key={t} value={t}>TLP:{t}</option>)}
            </select>
            <span class="help" id={`${id}-help`}><TlpBadge tlp={value} compact/> {tlpMeaning(normalizeTlp(value))}</span>
        </>
    );
}

function CreateChannel() {
    const team = currentTeam.value as Team | undefined;
    const [f, setF] = useState({display_name: '', name: '', purpose: '', type: 'O' as 'O' | 'P', tlp: normalizeTlp(team?.default_tlp ?? 'GREEN')});
    const [touched, setTouched] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const slug = touched ? f.name : slugify(f.display_name);
    return (
        <Modal title="Create a channel">
            <form class="form" onSubmit={async (e) => {
                e.preventDefault();
                setBusy(true);
                try {
                    const c = await createChannel({...f, name: slug});
                    closeModal();
                    goTo(c);
                } catch (err) {
                    setError(errorText(err));
                    setBusy(false);
                }
            }}>
                <label>Name<input id="new-channel-name" required maxLength={64} value={f.display_name}
                    onInput={(e) => setF({...f, display_name: e.currentTarget.value})}/></label>
                <label>URL<input id="new-channel-slug" required pattern="[a-z0-9][a-z0-9_\-]{0,63}" value={slug} onInput={(e) => {
                    setTouched(true);
                    setF({...f, name: e.currentTarget.value});
                }}/></label>
                <label>Purpose (optional)<input id="new-channel-purpose" maxLength={250} value={f.purpose}
                    onInput={(e) => setF({...f, purpose: e.currentTarget.value})}/></label>
                <fieldset class="radio-row">
                    <legend>Who can join</legend>
                    <label><input type="radio" name="ctype" checked={f.type === 'O'} onChange={() => setF({...f, type: 'O'})}/> Public: anyone in the team</label>
                    <label><input type="radio" name="ctype" checked={f.type === 'P'} onChange={() => setF({...f, type: 'P'})}/> Private: invited members only</label>
                </fieldset>
                <label for="new-channel-tlp">Traffic Light Protocol</label>
                <TlpSelect id="new-channel-tlp" value={f.tlp} onChange={(v) => setF({...f, tlp: normalizeTlp(v)})}/>
                {error && <p class="form-error" role="alert">{error}</p>}
                <div class="modal-actions">
                    <button type="button" class="btn" onClick={closeModal}>Cancel</button>
                    <button type="submit" class="btn primary" disabled={busy || !f.display_name.trim()}>Create channel</button>
                </div>
            </form>
        </Modal>
    );
}

const INTEL_MODES: Array<{value: string; label: string; help: string}> = [
    {value: 'review', label: 'Review', help: 'Indicators posted here are captured as candidates; analysts confirm them before they are shared.'},
    {value: 'auto-publish', label: 'Publish automatically', help: 'Indicators posted here are shared at once under the channel\u2019s label (for trusted, curated channels).'},
    {value: 'off', label: 'Off', help: 'Nothing posted here is captured or shared.'},
];

/** Whether the caller may change a channel's label and intel settings (channel, team or system admin). */
export function canManageChannel(c: Channel): boolean {
    const m = myMembers.value[c.id];
    return (me.value?.roles || '').includes('system_admin') || (myTeamMembers.value[c.team_id]?.roles || '').includes('team_admin') ||
        Boolean(m && ((m.roles || '').includes('channel_admin') || m.scheme_admin));
}

function EditChannel({channelId}: {channelId: string}) {
    const c = channels.value[channelId];
    const initial = {display_name: c?.display_name ?? '', purpose: c?.purpose ?? '', tlp: normalizeTlp(c?.tlp) as string,
        intel_mode: c?.intel_mode || 'review', intel_attribution: Boolean(c?.intel_attribution)};
    const [f, setF] = useState(initial);
    const [error, setError] = useState('');
    if (!c) {
        return null;
    }
    const manage = canManageChannel(c);
    return (
        <Modal title={`Channel settings: ${c.display_name}`}>
            <form class="form" onSubmit={async (e) => {
                e.preventDefault();
                // Only what changed: the label and intel fields need admin rights, so sending
                // them unchanged would refuse a member's edit of the purpose.
                const patch: Record<string, unknown> = {};
                for (const k of Object.keys(f) as Array<keyof typeof f>) {
                    if (f[k] !== initial[k]) {
                        patch[k] = f[k];
                    }
                }
                try {
                    if (Object.keys(patch).length) {
                        await patchChannel(c.id, patch as Partial<Channel>);
                    }
                    closeModal();
                } catch (err) {
                    setError(errorText(err));
                }
            }}>
                <label>Name<input id="edit-channel-name" required maxLength={64} value={f.display_name} onInput={(e) => setF({...f, display_name: e.currentTarget.value})}/></label>
                <label>Purpose<input id="edit-channel-purpose" maxLength={250} value={f.purpose} onInput={(e) => setF({...f, purpose: e.currentTarget.value})}/></label>
                <label for="edit-channel-tlp">Traffic Light Protocol</label>
                <TlpSelect id="edit-channel-tlp" value={f.tlp} disabled={!manage} onChange={(v) => setF({...f, tlp: normalizeTlp(v)})}/>
                <fieldset class="radio-row" disabled={!manage}>
                    <legend>Indicator capture</legend>
                    {INTEL_MODES.map((m) => (
                        <label key={m.value} class="radio-help"><input type="radio" name="intel-mode" value={m.value} checked={f.intel_mode === m.value}
                            onChange={() => setF({...f, intel_mode: m.value})}/> <span><strong>{m.label}</strong> <span class="muted small">{m.help}</span></span></label>
                    ))}
                </fieldset>
                <label class="check-row"><input type="checkbox" id="edit-channel-attribution" disabled={!manage} checked={f.intel_attribution}
                    onChange={(e) => setF({...f, intel_attribution: e.currentTarget.checked})}/>
                    Name the poster's organization when indicators from here are shared</label>
                {!manage && <p class="muted small">Only channel admins change the label and the intel settings.</p>}
                {error && <p class="form-error" role="alert">{error}</p>}
                <div class="modal-actions">
                    <button type="button" class="btn danger-text" onClick={async () => {
                        try {
                            await leaveChannel(c);
                            closeModal();
                        } catch (err) {
                            setError(errorText(err));
                        }
                    }}>Leave channel</button>
                    <span class="spacer"/>
                    <button type="button" class="btn" onClick={closeModal}>Cancel</button>
                    <button type="submit" class="btn primary">Save</button>
                </div>
            </form>
        </Modal>
    );
}

function Browse() {
    const [list, setList] = useState<Channel[] | null>(null);
    const [filter, setFilter] = useState('');
    const [error, setError] = useState('');
    useEffect(() => {
        publicChannels().then(setList).catch((e) => setError(errorText(e)));
    }, []);
    const shown = (list ?? []).filter((c) => !filter || `${c.display_name} ${c.name} ${c.purpose}`.toLowerCase().includes(filter.toLowerCase()));
    return (
        <Modal title="Browse channels" wide>
            <input type="search" class="full" aria-label="Filter channels" placeholder="Filter channels" value={filter} onInput={(e) => setFilter(e.currentTarget.value)}/>
            {error && <p class="form-error" role="alert">{error}</p>}
            {!list ? <p class="muted">Loading…</p> : (
                <ul class="browse-list">
                    {shown.map((c) => {
                        const joined = Boolean(myMembers.value[c.id]);
                        return (
                            <li key={c.id}>
                                <div class="browse-info">
                                    <strong>{c.display_name}</strong> <TlpBadge tlp={c.tlp} compact/>
                                    {c.purpose && <span class="muted">{c.purpose}</span>}
                                </div>
                                <button type="button" class="btn" aria-label={`${joined ? 'View' : 'Join'} ${c.display_name}`} onClick={async () => {
                                    try {
                                        if (!joined) {
                                            await joinChannel(c);
                                        }
                                        closeModal();
                                        goTo(c);
                                    } catch (err) {
                                        setError(errorText(err));
                                    }
                                }}>{joined ? 'View' : 'Join'}</button>
                            </li>
                        );
                    })}
                    {shown.length === 0 && <li class="muted">No channels match.</li>}
                </ul>
            )}
        </Modal>
    );
}

function Directory() {
    const [term, setTerm] = useState('');
    const [list, setList] = useState<User[] | null>(null);
    const [picked, setPicked] = useState<User[]>([]);
    const [error, setError] = useState('');
    const myId = me.value!.id;
    useEffect(() => {
        const t = setTimeout(() => {
            (term.trim() ? searchUsers(term.trim()) : listUsers()).then(setList).catch((e) => setError(errorText(e)));
        }, term ? 200 : 0);
        return () => clearTimeout(t);
    }, [term]);
    const toggle = (u: User) => setPicked((cur) => cur.some((x) => x.id === u.id) ? cur.filter((x) => x.id !== u.id) : cur.length >= 7 ? cur : [...cur, u]);
    const start = async () => {
        try {
            const c = await openDirect(picked.map((u) => u.id));
            closeModal();
            goTo(c);
        } catch (err) {
            setError(errorText(err));
        }
    };
    return (
        <Modal title="Member directory" wide>
            <p class="muted">Find people by name, username or organization. Pick one for a direct message, or up to seven for a group.</p>
            <input id="directory-search" type="search" class="full" aria-label="Search people by name or organization" placeholder="Search by name or organization"
                value={term} onInput={(e) => setTerm(e.currentTarget.value)}/>
            {picked.length > 0 && (
                <ul class="chips" aria-label="Selected people">
                    {picked.map((u) => <li key={u.id} class="chip">{displayName(u)}<IconButton label={`Remove ${displayName(u)}`} icon="close" onClick={() => toggle(u)}/></li>)}
                </ul>
            )}
            {error && <p class="form-error" role="alert">{error}</p>}
            {!list ? <p class="muted">Loading…</p> : (
                <ul class="directory" aria-label="People">
                    {list.filter((u) => u.id !== myId && !u.delete_at).map((u) => {
                        const on = picked.some((x) => x.id === u.id);
                        return (
                            <li key={u.id}>
                                <button type="button" class={`person${on ? ' on' : ''}`} aria-pressed={on} onClick={() => toggle(u)}>
                                    <Avatar user={u} size={30}/>
                                    <UserName user={u} showUsername/>
                                </button>
                            </li>
                        );
                    })}
                    {list.length === 0 && <li class="muted">Nobody matches.</li>}
                </ul>
            )}
            <div class="modal-actions">
                <button type="button" class="btn" onClick={closeModal}>Cancel</button>
                <button type="button" class="btn primary" disabled={picked.length === 0} onClick={() => void start()}>
                    {picked.length > 1 ? 'Start group message' : 'Start direct message'}
                </button>
            </div>
        </Modal>
    );
}

function TeamModal() {
    return (
        <Modal title="Create a team">
            <CreateTeamForm onDone={(t) => {
                closeModal();
                navigate(channelPath(t.name, 'town-square'));
            }}/>
            <p class="muted small">To join an existing team, <a href="/select_team" onClick={(e) => {
                e.preventDefault();
                closeModal();
                navigate('/select_team');
            }}>see the teams you can join</a>.</p>
        </Modal>
    );
}

function DeletePost({postId}: {postId: string}) {
    const [busy, setBusy] = useState(false);
    return (
        <Modal title="Delete message">
            <p>Delete this message for everyone? Replies in its thread are deleted too. This cannot be undone.</p>
            <div class="modal-actions">
                <button type="button" class="btn" onClick={closeModal}>Cancel</button>
                <button type="button" class="btn danger" disabled={busy} onClick={async () => {
                    setBusy(true);
                    try {
                        await deletePost(postId);
                        closeModal();
                    } catch (err) {
                        showToast(errorText(err));
                        closeModal();
                    }
                }}>Delete</button>
            </div>
        </Modal>
    );
}

export function ModalHost() {
    const m = modal.value;
    if (!m) {
        return null;
    }
    switch (m.kind) {
    case 'create-channel': return <CreateChannel/>;
    case 'browse': return <Browse/>;
    case 'directory': return <Directory/>;
    case 'team': return <TeamModal/>;
    case 'delete-post': return <DeletePost postId={m.postId}/>;
    case 'edit-channel': return <EditChannel channelId={m.channelId}/>;
    default: return null;
    }
}

void displayName;
