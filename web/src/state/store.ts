// The app's state: signals that components read, changed only by actions and events.
import {computed, signal} from '@preact/signals';
import type {ChannelPosts, PostMap} from '../lib/posts';
import type {SocketStatus} from '../lib/socket';
import type {Channel, ChannelMembership, Post, Team, TeamMembership, User} from './types';

export type Boot = 'loading' | 'anon' | 'ready';

/** What the right-hand panel shows; a new panel kind is one more member here. */
export type Rhs =
    | {kind: 'thread'; rootId: string}
    | {kind: 'members'; channelId: string}
    | {kind: 'search'; terms: string}
    | {kind: 'pinned'; channelId: string}
    | {kind: 'intel'; channelId: string}
    | {kind: 'indicator'; id?: string; lookup?: {type: string; value: string}; back?: Rhs}
    | null;

export interface TeamUnread {
    msg: number;
    mention: number;
}

export interface Failed {
    post: Post;
    error: string;
}

export const boot = signal<Boot>('loading');
export const me = signal<User | null>(null);
export const teams = signal<Team[]>([]);
export const teamUnreads = signal<Record<string, TeamUnread>>({});
export const channels = signal<Record<string, Channel>>({});
/** Readable channels the caller has not joined (named by indicator sightings); never in the sidebar. */
export const otherChannels = signal<Record<string, Channel>>({});
/** The caller's team memberships by team id (their roles say who is an analyst or admin). */
export const myTeamMembers = signal<Record<string, TeamMembership>>({});
export const myMembers = signal<Record<string, ChannelMembership>>({});
export const users = signal<Record<string, User>>({});
export const posts = signal<PostMap>({});
export const channelPosts = signal<Record<string, ChannelPosts>>({});
export const typing = signal<Record<string, Record<string, {parentId: string; at: number}>>>({});
export const socketStatus = signal<SocketStatus>('connecting');
export const everOnline = signal(false);
export const rhs = signal<Rhs>(null);
export const failedPosts = signal<Record<string, Failed>>({});
export const toast = signal<string | null>(null);
export const currentTeamId = signal<string>('');
export const currentChannelId = signal<string>('');
export const highlightPostId = signal<string>('');
export const sidebarOpen = signal(false);
export const editingPostId = signal<string>('');
export const firstRunHint = signal(false);
/** Where the unread part of the open channel starts (its last-viewed time when opened). */
export const unreadSince = signal<{channelId: string; at: number} | null>(null);
/** Bumped when a channel's membership changes, so member counts and lists refetch. */
export const memberEpoch = signal<Record<string, number>>({});

export function bumpMembers(channelId: string): void {
    memberEpoch.value = {...memberEpoch.value, [channelId]: (memberEpoch.value[channelId] ?? 0) + 1};
}

export function putChannelIfMissing(c: Channel): void {
    if (!channels.value[c.id]) {
        otherChannels.value = {...otherChannels.value, [c.id]: c};
    }
}

/** A channel by id, joined or not. */
export function anyChannel(id: string): Channel | undefined {
    return channels.value[id] ?? otherChannels.value[id];
}

export const currentTeam = computed(() => teams.value.find((t) => t.id === currentTeamId.value));
export const currentChannel = computed(() => channels.value[currentChannelId.value]);

export function showToast(text: string): void {
    toast.value = text;
    setTimeout(() => {
        if (toast.value === text) {
            toast.value = null;
        }
    }, 5000);
}

/** "First Last", else the nickname, else the username. */
export function displayName(u: User | undefined, fallback = 'Someone'): string {
    if (!u) {
        return fallback;
    }
    const full = [u.first_name, u.last_name].filter(Boolean).join(' ').trim();
    return full || u.nickname || u.username || fallback;
}

/** The other member of a direct channel (`a__b`), or the caller for a self-DM. */
export function dmPartnerId(c: Channel, myId: string): string {
    const [a, b] = c.name.split('__');
    return a === myId ? b : a;
}

/** The name a channel is shown under: DMs by their partner, group DMs by their members. */
export function channelLabel(c: Channel | undefined, all: Record<string, User>, myId: string): string {
    if (!c) {
        return '';
    }
    if (c.type === 'D') {
        const partner = all[dmPartnerId(c, myId)];
        return partner ? displayName(partner) : 'Direct message';
    }
    if (c.type === 'G') {
        return c.display_name || 'Group message';
    }
    return c.display_name || c.name;
}

export function unreadCount(c: Channel | undefined, m: ChannelMembership | undefined): number {
    if (!c || !m) {
        return 0;
    }
    return Math.max(0, (c.total_msg_count || 0) - (m.msg_count || 0));
}

export function isDmLike(c: Channel): boolean {
    return c.type === 'D' || c.type === 'G';
}
