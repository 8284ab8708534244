// The right-hand panel slot. Each panel kind is one component in PANELS, so a later page
// (indicator review, advisories) adds a panel without touching the layout.
import type {FunctionComponent} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import {clock, dayLabel} from '../lib/time';
import {channelMembers, errorText, jumpToPost, loadThread, openDirect, pinnedPosts, searchPosts} from '../state/actions';
import {channelPath, navigate} from '../state/router';
import {typeName} from '../lib/highlight';
import {statusLabel, type Indicator} from '../lib/intel';
import {extract, findIndicator, indicatorPosts, latest} from '../state/intel';
import {
    anyChannel, channelLabel, channels, currentTeamId, displayName, failedPosts, highlightPostId, me, memberEpoch, posts, rhs, teams, users, type Rhs,
} from '../state/store';
import type {ChannelMembership, Post, User} from '../state/types';
import {threadReplies} from '../lib/posts';
import {Avatar, ChannelIcon, IconButton, UserName} from './common';
import {Composer, dropInto} from './Composer';
import {TypingLine} from './ChannelView';
import {FailedPost, Markdown, PostItem} from './Post';
import {ChannelIndicators, IndicatorPanel} from './Intel';
import {Confidence, showIndicator, StatusChip, TypeBadge} from './IocMenu';

function Thread({rootId}: {rootId: string}) {
    const [error, setError] = useState('');
    useEffect(() => {
        loadThread(rootId).catch((e) => setError(errorText(e)));
    }, [rootId]);
    const root = posts.value[rootId];
    const replies = threadReplies(posts.value, rootId);
    const channel = root ? channels.value[root.channel_id] : undefined;
    const listRef = useRef<HTMLDivElement>(null);
    useEffect(() => {
        const el = listRef.current;
        if (el) {
            el.scrollTop = el.scrollHeight;
        }
    }, [replies.length]);
    if (error) {
        return <p class="form-error" role="alert">{error}</p>;
    }
    if (!root || root.delete_at) {
        return <p class="muted pad">{root?.delete_at ? 'This message was deleted.' : 'Loading…'}</p>;
    }
    const failed = Object.entries(failedPosts.value).filter(([, f]) => f.post.root_id === rootId);
    return (
        <div class="thread" onDragOver={(e) => e.preventDefault()} onDrop={(e) => {
            e.preventDefault();
            e.stopPropagation();
            dropInto(rootId, Array.from(e.dataTransfer?.files ?? []));
        }}>
            <div class="thread-list" ref={listRef} role="log" aria-label="Thread messages">
                <PostItem post={root} continued={false} highlighted={false} inThread/>
                <div class="thread-count" role="separator">{replies.length} {replies.length === 1 ? 'reply' : 'replies'}</div>
                {replies.map((p) => <PostItem key={p.id} post={p} continued={false} highlighted={highlightPostId.value === p.id} inThread/>)}
                {failed.map(([id, f]) => <FailedPost key={id} pendingId={id} failed={f}/>)}
            </div>
            {channel && <TypingLine channelId={channel.id} rootId={rootId}/>}
            {channel && <Composer channel={channel} rootId={rootId}/>}
        </div>
    );
}

function roleLabel(m: ChannelMembership, u: User): string {
    if ((u.roles || '').includes('system_admin')) {
        return 'System admin';
    }
    if ((m.roles || '').includes('channel_admin') || m.scheme_admin) {
        return 'Channel admin';
    }
    return 'Member';
}

function Members({channelId}: {channelId: string}) {
    const [list, setList] = useState<Array<ChannelMembership & {user: User}> | null>(null);
    const [error, setError] = useState('');
    const c = channels.value[channelId];
    useEffect(() => {
        channelMembers(channelId).then(setList).catch((e) => setError(errorText(e)));
    }, [channelId, c?.update_at, memberEpoch.value[channelId]]);
    if (error) {
        return <p class="form-error" role="alert">{error}</p>;
    }
    if (!list) {
        return <p class="muted pad">Loading…</p>;
    }
    const sorted = [...list].sort((a, b) => displayName(a.user).localeCompare(displayName(b.user)));
    const orgs = new Set(sorted.map((m) => m.user.organization).filter(Boolean));
    return (
        <div class="panel-scroll">
            <p class="muted pad">{list.length} {list.length === 1 ? 'member' : 'members'} from {orgs.size} {orgs.size === 1 ? 'organization' : 'organizations'}</p>
            <ul class="member-list" aria-label="Channel members">
                {sorted.map((m) => (
                    <li key={m.user_id} class="member">
                        <Avatar user={m.user} size={32}/>
                        <div class="member-info">
                            <UserName user={m.user} showUsername/>
                            <span class="role">{roleLabel(m, m.user)}</span>
                        </div>
                        {m.user_id !== me.value!.id && (
                            <IconButton label={`Message ${displayName(m.user)}`} icon="message" onClick={async () => {
                                const dm = await openDirect([m.user_id]);
                                const team = teams.value.find((t) => t.id === currentTeamId.value) ?? teams.value[0];
                                if (team) {
                                    navigate(channelPath(team.name, dm.name));
                                }
                            }}/>
                        )}
                    </li>
                ))}
            </ul>
        </div>
    );
}

function ResultList({list, empty}: {list: Post[]; empty: string}) {
    const myId = me.value!.id;
    if (list.length === 0) {
        return <p class="muted pad">{empty}</p>;
    }
    return (
        <ul class="results">
            {list.map((p) => {
                const c = anyChannel(p.channel_id);
                const author = users.value[p.user_id];
                return (
                    <li key={p.id}>
                        <button type="button" class="result" aria-label={`Jump to message from ${displayName(author)} in ${channelLabel(c, users.value, myId) || 'a channel'}`}
                            onClick={() => void jumpToPost(p.id)}>
                            <span class="result-meta">
                                {c && <span class="result-channel"><ChannelIcon type={c.type}/> {channelLabel(c, users.value, myId)}</span>}
                                <span class="muted">{dayLabel(p.create_at)} {clock(p.create_at)}</span>
                            </span>
                            <span class="result-author"><Avatar user={author} size={20}/> <UserName user={author}/></span>
                            <Markdown text={p.message} interactive={false}/>
                        </button>
                    </li>
                );
            })}
        </ul>
    );
}

/**
 * When the search terms are one indicator (`45.137.21[.]9`), the indicator it names, if the
 * reader can see one: its messages join the results (search covers the channels one has
 * joined; an indicator's sightings cover every channel one can read).
 */
async function indicatorFor(terms: string): Promise<Indicator | null> {
    const t = terms.trim();
    if (/(^|\s)(from|in|before|after|on):/i.test(t)) {
        return null;
    }
    const found = await extract(t);
    if (found.length !== 1 || t.slice(0, found[0].start).trim() || t.slice(found[0].end).replace(/^["'\s]+|["'\s]+$/g, '')) {
        return null;
    }
    return findIndicator(found[0].type, found[0].value).catch(() => null);
}

function Search({terms}: {terms: string}) {
    const [list, setList] = useState<Post[] | null>(null);
    const [ind, setInd] = useState<Indicator | null>(null);
    const [error, setError] = useState('');
    useEffect(() => {
        let live = true;
        setList(null);
        setInd(null);
        setError('');
        (async () => {
            const [found, indicator] = await Promise.all([searchPosts(terms), indicatorFor(terms).catch(() => null)]);
            let all = found;
            if (indicator) {
                const carrying = await indicatorPosts(indicator.id).catch(() => [] as Post[]);
                const seen = new Set(found.map((p) => p.id));
                all = [...found, ...carrying.filter((p) => !seen.has(p.id))].sort((a, b) => b.create_at - a.create_at);
            }
            if (live) {
                setInd(indicator);
                setList(all);
            }
        })().catch((e) => live && setError(errorText(e)));
        return () => {
            live = false;
        };
    }, [terms]);
    const shown = ind ? latest(ind) : null;
    return (
        <div class="panel-scroll">
            <p class="muted pad">Results for <strong>{terms}</strong>{list ? ` · ${list.length} found` : ''}</p>
            {shown && (
                <div class="pad">
                    <button type="button" class="ioc-card" onClick={() => showIndicator({id: shown.id})}
                        aria-label={`Indicator ${typeName(shown.type)} ${shown.defanged}, ${statusLabel(shown.status)}: show details`}>
                        <span class="ioc-row-top"><TypeBadge type={shown.type}/> <span class="mono ioc-row-value">{shown.defanged}</span></span>
                        <span class="ioc-row-meta"><StatusChip status={shown.status}/> <Confidence value={shown.confidence}/>
                            <span class="muted">{shown.sighting_count ?? 0} sightings · details</span></span>
                    </button>
                </div>
            )}
            {error ? <p class="form-error pad" role="alert">{error}</p> : list ? <ResultList list={list} empty="No messages match. Filters: from:user in:channel before:2025-01-31 after:2025-01-01"/> :
                <p class="muted pad" role="status">Searching…</p>}
        </div>
    );
}

function Pinned({channelId}: {channelId: string}) {
    const [list, setList] = useState<Post[] | null>(null);
    useEffect(() => {
        pinnedPosts(channelId).then(setList).catch(() => setList([]));
    }, [channelId]);
    const live = (list ?? []).map((p) => posts.value[p.id] ?? p).filter((p) => p.is_pinned && !p.delete_at);
    return <div class="panel-scroll">{list ? <ResultList list={live} empty="Nothing is pinned in this channel yet."/> : <p class="muted pad">Loading…</p>}</div>;
}

type PanelDef<K extends NonNullable<Rhs>['kind']> = {title: (r: Extract<NonNullable<Rhs>, {kind: K}>) => string; body: FunctionComponent<{r: Extract<NonNullable<Rhs>, {kind: K}>}>};

const PANELS: {[K in NonNullable<Rhs>['kind']]: PanelDef<K>} = {
    thread: {title: () => 'Thread', body: ({r}) => <Thread rootId={r.rootId}/>},
    members: {title: () => 'Members', body: ({r}) => <Members channelId={r.channelId}/>},
    search: {title: () => 'Search results', body: ({r}) => <Search terms={r.terms}/>},
    pinned: {title: () => 'Pinned messages', body: ({r}) => <Pinned channelId={r.channelId}/>},
    intel: {title: () => 'Indicators', body: ({r}) => <ChannelIndicators channelId={r.channelId}/>},
    indicator: {title: () => 'Indicator', body: ({r}) => <IndicatorPanel r={r}/>},
};

export function RightPanel() {
    const r = rhs.value;
    const ref = useRef<HTMLElement>(null);
    useEffect(() => {
        if (r?.kind !== 'thread') {
            (ref.current?.querySelector('.rhs-close') as HTMLElement | null)?.focus();
        }
    }, [r?.kind]);
    if (!r) {
        return null;
    }
    const def = PANELS[r.kind] as PanelDef<typeof r.kind>;
    const Body = def.body as FunctionComponent<{r: typeof r}>;
    const title = def.title(r as never);
    return (
        <aside class="rhs" aria-label={title} ref={ref}>
            <header class="rhs-head">
                <h2>{title}</h2>
                <IconButton class="rhs-close" label={`Close ${title.toLowerCase()}`} icon="close" onClick={() => {
                    rhs.value = null;
                    document.getElementById('composer-input')?.focus();
                }}/>
            </header>
            <Body r={r}/>
        </aside>
    );
}
