// WebSocket events → state. Each handler is idempotent where the server may repeat itself
// (a post that arrives by event and by REST shows once).
import {batch} from '@preact/signals';
import type {WsEvent} from '../lib/socket';
import {
    applyIncoming, applyReaction, bumpReplyCount, ensureUsers, loadTeamChannels, loadTeams, markViewed, putChannel, putMember,
    refreshChannel, removeChannelLocally,
} from './actions';
import {bumpMembers, channels, currentChannelId, currentTeamId, me, myMembers, teamUnreads, typing, users} from './store';
import type {Channel, Post, User} from './types';

function parse<T>(raw: unknown): T | null {
    if (typeof raw !== 'string') {
        return (raw as T) ?? null;
    }
    try {
        return JSON.parse(raw) as T;
    } catch {
        return null;
    }
}

/** Whether the user is looking at this channel right now. */
export function isWatching(channelId: string): boolean {
    return currentChannelId.value === channelId && document.visibilityState === 'visible';
}

function onPosted(ev: WsEvent) {
    const post = parse<Post>(ev.data.post);
    if (!post) {
        return;
    }
    const myId = me.value?.id;
    const {isNew} = applyIncoming(post);
    void ensureUsers([post.user_id]);
    clearTyping(post.channel_id, post.user_id);
    if (!isNew) {
        return;
    }
    if (post.root_id) {
        bumpReplyCount(post.root_id);
    }
    const c = channels.value[post.channel_id];
    if (!c) {
        // A channel we have not seen: a new DM, or one we were just added to.
        const teamId = String(ev.data.team_id || '');
        if (!teamId || teamId === currentTeamId.value) {
            void refreshChannel(post.channel_id);
        } else {
            bumpTeam(teamId, post, myId);
        }
        return;
    }
    const total = (c.total_msg_count || 0) + 1;
    putChannel({...c, total_msg_count: total, last_post_at: post.create_at});
    const m = myMembers.value[post.channel_id];
    if (!m) {
        return;
    }
    if (post.user_id === myId || isWatching(post.channel_id)) {
        putMember({...m, msg_count: total});
        if (post.user_id !== myId) {
            markViewed(post.channel_id);
        }
        return;
    }
    const mentions = parse<string[]>(ev.data.mentions) ?? [];
    const mentioned = (myId && mentions.includes(myId)) || c.type === 'D';
    if (mentioned) {
        putMember({...m, mention_count: (m.mention_count || 0) + 1});
    }
    if (c.team_id && c.team_id !== currentTeamId.value) {
        bumpTeam(c.team_id, post, myId, mentioned);
    }
}

function bumpTeam(teamId: string, post: Post, myId: string | undefined, mentioned = false) {
    if (post.user_id === myId) {
        return;
    }
    const u = teamUnreads.value[teamId] ?? {msg: 0, mention: 0};
    teamUnreads.value = {...teamUnreads.value, [teamId]: {msg: u.msg + 1, mention: u.mention + (mentioned ? 1 : 0)}};
}

function clearTyping(channelId: string, userId: string) {
    const t = typing.value[channelId];
    if (t?.[userId]) {
        const next = {...t};
        delete next[userId];
        typing.value = {...typing.value, [channelId]: next};
    }
}

export const TYPING_MS = 6000;

function onTyping(ev: WsEvent) {
    const channelId = ev.broadcast.channel_id || '';
    const userId = String(ev.data.user_id || '');
    if (!channelId || !userId || userId === me.value?.id) {
        return;
    }
    void ensureUsers([userId]);
    const at = Date.now();
    typing.value = {...typing.value, [channelId]: {...(typing.value[channelId] ?? {}), [userId]: {parentId: String(ev.data.parent_id || ''), at}}};
    setTimeout(() => {
        if (typing.value[channelId]?.[userId]?.at === at) {
            clearTyping(channelId, userId);
        }
    }, TYPING_MS);
}

export function handleEvent(ev: WsEvent): void {
    const myId = me.value?.id;
    switch (ev.event) {
    case 'posted':
        onPosted(ev);
        break;
    case 'post_edited':
    case 'post_deleted': {
        const post = parse<Post>(ev.data.post);
        if (post) {
            applyIncoming(ev.event === 'post_deleted' ? {...post, delete_at: post.delete_at || Date.now()} : post);
        }
        break;
    }
    case 'reaction_added':
    case 'reaction_removed': {
        const r = parse<{user_id: string; post_id: string; emoji_name: string; create_at: number}>(ev.data.reaction);
        if (r) {
            applyReaction(r, ev.event === 'reaction_added');
        }
        break;
    }
    case 'typing':
        onTyping(ev);
        break;
    case 'multiple_channels_viewed':
    case 'channel_viewed': {
        const times = (ev.data.channel_times as Record<string, number>) ?? (ev.data.channel_id ? {[String(ev.data.channel_id)]: Date.now()} : {});
        batch(() => {
            for (const [id, at] of Object.entries(times)) {
                const c = channels.value[id];
                const m = myMembers.value[id];
                if (c && m) {
                    putMember({...m, msg_count: c.total_msg_count, mention_count: 0, last_viewed_at: at});
                }
            }
        });
        break;
    }
    case 'channel_created':
    case 'direct_added':
    case 'group_added':
        if (currentTeamId.value) {
            void loadTeamChannels(currentTeamId.value);
        }
        break;
    case 'user_added':
        if (ev.broadcast.channel_id) {
            bumpMembers(ev.broadcast.channel_id);
        }
        if (String(ev.data.user_id) === myId && ev.broadcast.channel_id) {
            void refreshChannel(ev.broadcast.channel_id);
        }
        break;
    case 'user_removed': {
        const channelId = String(ev.data.channel_id || ev.broadcast.channel_id || '');
        const removed = String(ev.data.user_id || ev.broadcast.user_id || '');
        if (channelId) {
            bumpMembers(channelId);
        }
        if (channelId && (removed === myId || ev.broadcast.user_id === myId)) {
            removeChannelLocally(channelId);
        }
        break;
    }
    case 'channel_updated': {
        const c = parse<Channel>(ev.data.channel);
        if (c && channels.value[c.id]) {
            putChannel(c);
        }
        break;
    }
    case 'channel_deleted':
        if (ev.data.channel_id) {
            removeChannelLocally(String(ev.data.channel_id));
        }
        break;
    case 'user_updated': {
        const u = ev.data.user as User | undefined;
        if (u?.id && users.value[u.id]) {
            users.value = {...users.value, [u.id]: u.id === myId ? {...users.value[u.id], ...u, email: users.value[u.id].email} : u};
        }
        break;
    }
    case 'added_to_team':
    case 'leave_team':
    case 'update_team':
        void loadTeams();
        break;
    default:
        break;
    }
}
