// The signed-in layout: top bar, team rail, sidebar, channel, and the right-hand panel slot.
import {useEffect, useRef, useState} from 'preact/hooks';
import {enterTeam, errorText, joinChannel, jumpToPost, loadUntil, logout, markViewed, publicChannelByName} from '../state/actions';
import {channelPath, navigate, route} from '../state/router';
import {
    channels, currentChannel, currentChannelId, currentTeamId, everOnline, highlightPostId, me, myMembers, rhs, sidebarOpen, socketStatus,
    teamUnreads, teams, toast, unreadCount, unreadSince,
} from '../state/store';
import type {Channel, Team} from '../state/types';
import {ChannelView} from './ChannelView';
import {Avatar, Icon, IconButton, UserName} from './common';
import {IntelAdmin} from './IntelAdmin';
import {IntelPage} from './IntelPage';
import {IocMenu} from './IocMenu';
import {ModalHost, openModal} from './Modals';
import {RightPanel} from './Rhs';
import {Sidebar} from './Sidebar';

function SearchBox() {
    const [terms, setTerms] = useState('');
    const current = rhs.value;
    useEffect(() => {
        if (current?.kind === 'search') {
            setTerms(current.terms);
        }
    }, [current]);
    return (
        <form class="search" role="search" onSubmit={(e) => {
            e.preventDefault();
            if (terms.trim()) {
                rhs.value = {kind: 'search', terms: terms.trim()};
            }
        }}>
            <Icon name="search" size={16}/>
            <input id="search-box" type="search" aria-label="Search messages" placeholder="Search   from:  in:  before:  after:" value={terms}
                onInput={(e) => setTerms(e.currentTarget.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                        setTerms('');
                        (e.currentTarget as HTMLInputElement).blur();
                    }
                }}/>
        </form>
    );
}

function ConnectionBanner() {
    const s = socketStatus.value;
    if (s === 'online' || !everOnline.value) {
        return null;
    }
    return (
        <div class={`conn-banner ${s}`} role="status" aria-live="polite">
            {s === 'offline' ? 'You are offline. Messages will catch up when the connection returns.' : 'Reconnecting…'}
        </div>
    );
}

function UserMenu() {
    const [open, setOpen] = useState(false);
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        if (!open) {
            return undefined;
        }
        const close = (e: MouseEvent) => {
            if (!ref.current?.contains(e.target as Node)) {
                setOpen(false);
            }
        };
        document.addEventListener('mousedown', close);
        return () => document.removeEventListener('mousedown', close);
    }, [open]);
    const u = me.value!;
    return (
        <div class="user-menu" ref={ref}>
            <button type="button" class="user-btn" aria-haspopup="menu" aria-expanded={open} aria-label={`Account menu for ${u.username}`}
                onClick={() => setOpen(!open)}>
                <Avatar user={u} size={28}/>
            </button>
            {open && (
                <div class="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
                    <div class="menu-head"><UserName user={u} showUsername/></div>
                    <button type="button" role="menuitem" class="menu-item" autoFocus onClick={() => void logout()}>
                        <Icon name="logout" size={16}/> Sign out
                    </button>
                </div>
            )}
        </div>
    );
}

function TeamRail() {
    return (
        <nav class="team-rail" aria-label="Teams">
            <ul>
                {teams.value.map((t: Team) => {
                    const u = teamUnreads.value[t.id];
                    const active = t.id === currentTeamId.value;
                    return (
                        <li key={t.id}>
                            <button type="button" class={`team-btn${active ? ' active' : ''}`} aria-current={active ? 'true' : undefined}
                                aria-label={`${t.display_name}${u?.mention ? `, ${u.mention} mentions` : u?.msg ? ', unread messages' : ''}`}
                                title={t.display_name}
                                onClick={() => navigate(channelPath(t.name, localStorage.getItem(`conclave.lastChannel.${t.name}`) || 'town-square'))}>
                                {t.display_name.slice(0, 2)}
                                {!active && u?.mention ? <span class="badge rail-badge" aria-hidden="true">{u.mention}</span> :
                                    !active && u?.msg ? <span class="dot" aria-hidden="true"/> : null}
                            </button>
                        </li>
                    );
                })}
                <li><button type="button" class="team-btn add" aria-label="Create or join a team" title="Create or join a team"
                    onClick={() => openModal({kind: 'team'})}><Icon name="plus"/></button></li>
            </ul>
        </nav>
    );
}

/** Finds the team and channel the route names, loading them as needed. */
function useRouteChannel() {
    const r = route.value;
    const [problem, setProblem] = useState('');
    const [joinable, setJoinable] = useState<Channel | null>(null);
    useEffect(() => {
        setJoinable(null);
        if (r.kind === 'intel' || r.kind === 'intel-admin') {
            const team = teams.value.find((t) => t.name === r.team);
            if (!team) {
                setProblem(`You are not a member of a team called “${r.team}”.`);
                return;
            }
            setProblem('');
            currentChannelId.value = '';
            sidebarOpen.value = false;
            rhs.value = null;
            enterTeam(team).catch((err) => setProblem(errorText(err)));
            return;
        }
        if (r.kind !== 'channel') {
            return;
        }
        const team = teams.value.find((t) => t.name === r.team);
        if (!team) {
            setProblem(`You are not a member of a team called “${r.team}”.`);
            return;
        }
        setProblem('');
        let cancelled = false;
        (async () => {
            try {
                await enterTeam(team);
            } catch (err) {
                setProblem(errorText(err));
                return;
            }
            if (cancelled) {
                return;
            }
            const name = r.channel || 'town-square';
            const list = Object.values(channels.value);
            const c = list.find((x) => x.name === name && (x.team_id === team.id || !x.team_id)) ?? (r.channel ? undefined : list.find((x) => x.team_id === team.id));
            if (!c) {
                const open = await publicChannelByName(team.id, name);
                if (cancelled) {
                    return;
                }
                setJoinable(open);
                setProblem(open ? `You are not a member of ${open.display_name} yet.` : `No channel called “${name}” here, or you are not a member.`);
                currentChannelId.value = '';
                return;
            }
            if (currentChannelId.value !== c.id) {
                const member = myMembers.value[c.id];
                unreadSince.value = member && unreadCount(c, member) > 0 ? {channelId: c.id, at: member.last_viewed_at} : null;
                const prev = currentChannelId.value;
                currentChannelId.value = c.id;
                sidebarOpen.value = false;
                if (rhs.value && rhs.value.kind !== 'search') {
                    rhs.value = null;
                }
                void prev;
            }
            localStorage.setItem(`conclave.lastChannel.${team.name}`, c.name);
            markViewed(c.id, true);
            if (r.postId) {
                highlightPostId.value = r.postId;
                await loadUntil(c.id, r.postId);
            }
        })();
        return () => {
            cancelled = true;
        };
    }, [r, teams.value]);
    return {problem, joinable};
}

export function Shell() {
    const {problem, joinable} = useRouteChannel();
    const r = route.value;
    useEffect(() => {
        const onVisible = () => {
            if (document.visibilityState === 'visible' && currentChannelId.value) {
                markViewed(currentChannelId.value);
            }
        };
        document.addEventListener('visibilitychange', onVisible);
        const onKey = (e: KeyboardEvent) => {
            if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
                // Alt+Up/Down moves through the channel list, as in other chat apps.
                const links = Array.from(document.querySelectorAll<HTMLAnchorElement>('.sidebar a.ch-link[data-channel-name]'));
                const at = links.findIndex((l) => l.classList.contains('active'));
                const next = links[(at + (e.key === 'ArrowDown' ? 1 : links.length - 1)) % links.length];
                if (next) {
                    e.preventDefault();
                    next.click();
                }
                return;
            }
            if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('.modal-backdrop')) {
                if (rhs.value) {
                    rhs.value = null;
                } else if (sidebarOpen.value) {
                    sidebarOpen.value = false;
                }
            }
        };
        document.addEventListener('keydown', onKey);
        return () => {
            document.removeEventListener('visibilitychange', onVisible);
            document.removeEventListener('keydown', onKey);
        };
    }, []);
    useEffect(() => {
        if (r.kind === 'permalink') {
            jumpToPost(r.postId).catch(() => navigate('/', true));
        }
    }, [r]);
    const team = teams.value.find((t) => t.id === currentTeamId.value);
    const c = currentChannel.value;
    return (
        <div class={`shell${sidebarOpen.value ? ' sidebar-open' : ''}${rhs.value ? ' rhs-open' : ''}`}>
            <a class="skip-link" href="#composer-input">Skip to message box</a>
            <header class="topbar">
                <IconButton class="hamburger" label={sidebarOpen.value ? 'Close channel list' : 'Open channel list'} icon="menu"
                    pressed={sidebarOpen.value} onClick={() => {
                        sidebarOpen.value = !sidebarOpen.value;
                    }}/>
                <div class="brand"><span class="brand-mark small" aria-hidden="true">C</span><span class="brand-name">Conclave</span></div>
                <SearchBox/>
                <UserMenu/>
            </header>
            <ConnectionBanner/>
            <div class="body">
                <div class="drawer">
                    <TeamRail/>
                    {team && <Sidebar team={team}/>}
                </div>
                {sidebarOpen.value && <div class="scrim" onClick={() => {
                    sidebarOpen.value = false;
                }}/>}
                <main class="channel-main" id="main">
                    {problem ? <div class="empty-state" role="alert"><p>{problem}</p>
                        {joinable && <button type="button" class="btn primary" onClick={async () => {
                            await joinChannel(joinable);
                            navigate(location.pathname + location.search, true);
                        }}>Join channel</button>}
                        {team && <button type="button" class="btn" onClick={() => navigate(channelPath(team.name, 'town-square'))}>Go to Town Square</button>}
                    </div> : r.kind === 'intel' && team ? <IntelPage team={team} selected={r.id}/> :
                        r.kind === 'intel-admin' && team ? <IntelAdmin/> :
                            c ? <ChannelView key={c.id} channel={c}/> : <div class="empty-state" role="status">Loading…</div>}
                </main>
                {rhs.value && <RightPanel/>}
            </div>
            {toast.value && <div class="toast" role="status" aria-live="polite">{toast.value}</div>}
            <ModalHost/>
            <IocMenu/>
        </div>
    );
}
