// One channel: header with TLP label and member count, the message list, the composer.
import {Fragment} from 'preact';
import {useEffect, useLayoutEffect, useRef, useState} from 'preact/hooks';
import {layout} from '../lib/posts';
import {dayLabel} from '../lib/time';
import {channelStats, loadLatest, loadOlder} from '../state/actions';
import {
    channelLabel, channelPosts, dmPartnerId, failedPosts, highlightPostId, me, memberEpoch, posts, rhs, typing, unreadSince, users,
} from '../state/store';
import type {Channel, Post} from '../state/types';
import {ChannelIcon, Icon, IconButton, TlpBadge, UserName} from './common';
import {Composer, dropInto} from './Composer';
import {openModal} from './Modals';
import {FailedPost, PostItem} from './Post';
import {displayName} from '../state/store';

function Header({channel}: {channel: Channel}) {
    const myId = me.value!.id;
    const [stats, setStats] = useState<{member_count: number} | null>(null);
    useEffect(() => {
        channelStats(channel.id).then(setStats).catch(() => setStats(null));
    }, [channel.id, channel.update_at, memberEpoch.value[channel.id]]);
    const label = channelLabel(channel, users.value, myId);
    const partner = channel.type === 'D' ? users.value[dmPartnerId(channel, myId)] : undefined;
    const current = rhs.value;
    const toggle = (kind: 'members' | 'pinned' | 'intel') => {
        rhs.value = current?.kind === kind ? null : {kind, channelId: channel.id};
    };
    return (
        <header class="ch-header">
            <div class="ch-title">
                <h1><ChannelIcon type={channel.type}/> <span id="channel-title">{label}</span></h1>
                <TlpBadge tlp={channel.tlp}/>
                {partner && <UserName user={partner} showUsername/>}
                {channel.purpose && <p class="ch-purpose" title={channel.purpose}>{channel.purpose}</p>}
            </div>
            <div class="ch-actions">
                <button type="button" class={`btn ghost members-btn${current?.kind === 'members' ? ' on' : ''}`} aria-pressed={current?.kind === 'members'}
                    aria-label={`Members${stats ? `: ${stats.member_count}` : ''}`} onClick={() => toggle('members')}>
                    <Icon name="users" size={16}/> <span class="member-count">{stats?.member_count ?? '–'}</span>
                </button>
                <IconButton label="Pinned messages" icon="pin" pressed={current?.kind === 'pinned'} onClick={() => toggle('pinned')}/>
                {(channel.type === 'O' || channel.type === 'P') &&
                    <IconButton label="Indicators" icon="shield" class="intel-btn" pressed={current?.kind === 'intel' && current.channelId === channel.id}
                        onClick={() => toggle('intel')}/>}
                {(channel.type === 'O' || channel.type === 'P') &&
                    <IconButton label="Channel settings" icon="info" onClick={() => openModal({kind: 'edit-channel', channelId: channel.id})}/>}
            </div>
        </header>
    );
}

function Intro({channel}: {channel: Channel}) {
    const label = channelLabel(channel, users.value, me.value!.id);
    return (
        <div class="ch-intro">
            <h2>{channel.type === 'D' || channel.type === 'G' ? `This is the start of your conversation with ${label}.` : `Welcome to ${label}`}</h2>
            {channel.purpose && <p>{channel.purpose}</p>}
            <p class="muted">Everything shared here is <TlpBadge tlp={channel.tlp} compact/>.</p>
        </div>
    );
}

function TypingLine({channelId, rootId}: {channelId: string; rootId: string}) {
    const t = typing.value[channelId] ?? {};
    const names = Object.entries(t).filter(([, v]) => (v.parentId || '') === rootId).map(([id]) => displayName(users.value[id]));
    const text = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
    return <div class="typing" aria-live="polite">{text}</div>;
}

export {TypingLine};

function MessageList({channel}: {channel: Channel}) {
    const view = channelPosts.value[channel.id];
    const ref = useRef<HTMLDivElement>(null);
    const atBottom = useRef(true);
    const prevHeight = useRef(0);
    const prevFirst = useRef('');
    const lastSeen = useRef('');
    const [loadingOlder, setLoadingOlder] = useState(false);
    const [newBelow, setNewBelow] = useState(0);
    const lastCount = useRef(0);
    const [error, setError] = useState('');

    useEffect(() => {
        if (!view?.loaded) {
            loadLatest(channel.id).catch((e) => setError(String(e?.message || e)));
        }
    }, [channel.id]);

    const all = posts.value;
    const list: Post[] = (view?.order ?? []).map((id) => all[id]).filter(Boolean);
    const failed = Object.entries(failedPosts.value).filter(([, f]) => f.post.channel_id === channel.id && !f.post.root_id);

    // Keep the reader's place: stick to the bottom for new messages, and keep the same
    // message in view when older ones are added above.
    useLayoutEffect(() => {
        const el = ref.current;
        if (!el) {
            return;
        }
        const first = list[0]?.id ?? '';
        if (prevFirst.current && first !== prevFirst.current && prevHeight.current) {
            el.scrollTop += el.scrollHeight - prevHeight.current;
        } else if (atBottom.current && !highlightPostId.value) {
            el.scrollTop = el.scrollHeight;
        }
        // Count arrivals the reader has not scrolled down to yet.
        const last = list[list.length - 1]?.id ?? '';
        if (lastCount.current && list.length > lastCount.current && !atBottom.current && last !== lastSeen.current) {
            setNewBelow((n) => n + (list.length - lastCount.current));
        }
        lastCount.current = list.length;
        lastSeen.current = last;
        prevFirst.current = first;
        prevHeight.current = el.scrollHeight;
    });

    useEffect(() => {
        const id = highlightPostId.value;
        if (!id || !ref.current) {
            return;
        }
        const el = ref.current.querySelector(`[data-post-id="${CSS.escape(id)}"]`) as HTMLElement | null;
        if (el) {
            el.scrollIntoView({block: 'center'});
            el.focus({preventScroll: true});
            atBottom.current = false;
            const t = setTimeout(() => {
                if (highlightPostId.value === id) {
                    highlightPostId.value = '';
                }
            }, 4000);
            return () => clearTimeout(t);
        }
        return undefined;
    }, [highlightPostId.value, list.length]);

    const onScroll = async () => {
        const el = ref.current;
        if (!el) {
            return;
        }
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        if (atBottom.current && newBelow) {
            setNewBelow(0);
        }
        prevHeight.current = el.scrollHeight;
        if (el.scrollTop < 300 && view?.hasMoreBefore && !loadingOlder) {
            setLoadingOlder(true);
            try {
                await loadOlder(channel.id);
            } finally {
                setLoadingOlder(false);
            }
        }
    };

    const items = layout(list);
    const label = channelLabel(channel, users.value, me.value!.id);
    const since = unreadSince.value?.channelId === channel.id ? unreadSince.value.at : 0;
    const myId = me.value!.id;
    const firstNew = since ? list.find((p) => p.create_at > since && p.user_id !== myId)?.id : undefined;
    useEffect(() => {
        // Highlights arrive after a message rendered and can make it taller.
        const el = ref.current;
        const stick = () => {
            if (atBottom.current && el && !highlightPostId.value) {
                el.scrollTop = el.scrollHeight;
            }
            if (el) {
                prevHeight.current = el.scrollHeight;
            }
        };
        el?.addEventListener('conclave:reflow', stick);
        return () => el?.removeEventListener('conclave:reflow', stick);
    }, []);
    return (
        <div class="messages" ref={ref} onScroll={onScroll} onLoadCapture={() => {
            // An image finished loading: stay at the bottom if the reader was there.
            if (atBottom.current && ref.current) {
                ref.current.scrollTop = ref.current.scrollHeight;
            }
        }} role="log" aria-label={`Messages in ${label}`} aria-busy={!view?.loaded}>
            {view?.loaded && !view.hasMoreBefore && <Intro channel={channel}/>}
            {(loadingOlder || (view?.hasMoreBefore && view.loaded)) && <div class="loading-older" role="status">{loadingOlder ? 'Loading older messages…' : ''}</div>}
            {error && <p class="form-error" role="alert">{error}</p>}
            {items.map((it) => it.kind === 'day' ?
                <div class="day-sep" key={it.key} role="separator" aria-label={dayLabel(it.day)}><span>{dayLabel(it.day)}</span></div> :
                <Fragment key={it.key}>
                    {it.post.id === firstNew && <div class="new-sep" role="separator" aria-label="New messages"><span>New messages</span></div>}
                    <PostItem post={it.post} continued={it.continued && it.post.id !== firstNew} highlighted={highlightPostId.value === it.post.id}/>
                </Fragment>)}
            {failed.map(([id, f]) => <FailedPost key={id} pendingId={id} failed={f}/>)}
            {newBelow > 0 && (
                <button type="button" class="jump-new" onClick={() => {
                    const el = ref.current!;
                    el.scrollTop = el.scrollHeight;
                    atBottom.current = true;
                    setNewBelow(0);
                }}>{newBelow} new {newBelow === 1 ? 'message' : 'messages'} ↓</button>
            )}
        </div>
    );
}

export function ChannelView({channel}: {channel: Channel}) {
    const [dragging, setDragging] = useState(false);
    const depth = useRef(0);
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    return (
        <section class="channel-view" aria-labelledby="channel-title"
            onDragEnter={(e) => {
                if (hasFiles(e)) {
                    depth.current++;
                    setDragging(true);
                }
            }}
            onDragOver={(e) => {
                if (hasFiles(e)) {
                    e.preventDefault();
                }
            }}
            onDragLeave={() => {
                depth.current = Math.max(0, depth.current - 1);
                if (depth.current === 0) {
                    setDragging(false);
                }
            }}
            onDrop={(e) => {
                e.preventDefault();
                depth.current = 0;
                setDragging(false);
                const files = Array.from(e.dataTransfer?.files ?? []);
                if (files.length) {
                    dropInto('', files);
                }
            }}>
            <Header channel={channel}/>
            <MessageList channel={channel}/>
            <TypingLine channelId={channel.id} rootId=""/>
            <Composer channel={channel} rootId=""/>
            {dragging && <div class="drop-zone" aria-hidden="true"><Icon name="clip" size={28}/><p>Drop files to attach them</p></div>}
        </section>
    );
}
