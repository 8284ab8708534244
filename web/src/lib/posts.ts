// Pure post-list logic: merging pages and events into a channel's ordered list without
// duplicates, and laying out a list with day separators. No I/O, no signals: unit-tested.
import type {Post, PostList} from '@mattermost/types/posts';
import {startOfDay} from './time';

export type PostMap = Record<string, Post>;

/** A channel's loaded window of root posts, oldest first. */
export interface ChannelPosts {
    order: string[];
    /** Older posts exist on the server that are not loaded yet. */
    hasMoreBefore: boolean;
    loaded: boolean;
}

export const emptyChannelPosts = (): ChannelPosts => ({order: [], hasMoreBefore: true, loaded: false});

const byTime = (posts: PostMap) => (a: string, b: string) => {
    const pa = posts[a];
    const pb = posts[b];
    return (pa?.create_at ?? 0) - (pb?.create_at ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
};

/** Whether a post belongs in the channel's main list (root posts that are not deleted). */
export function showsInChannel(p: Post): boolean {
    return !p.root_id && !p.delete_at;
}

/**
 * Keeps the newer of two copies of a post. Events and REST pages may arrive in any order; a
 * stale copy (older `update_at`) must never overwrite a newer one. Events carry no
 * metadata (reactions, files), so a newer copy without them keeps what we knew, unless its
 * own flags say there is nothing to keep.
 */
export function newer(old: Post | undefined, incoming: Post): Post {
    if (!old) {
        return incoming;
    }
    if (incoming.update_at < old.update_at) {
        return old;
    }
    const meta = incoming.metadata ?? ({} as Post['metadata']);
    const oldMeta = old.metadata ?? ({} as Post['metadata']);
    const hasReactions = (incoming as Post & {has_reactions?: boolean}).has_reactions;
    const reactions = meta.reactions ?? (hasReactions === false ? undefined : oldMeta.reactions);
    const files = meta.files ?? (incoming.file_ids?.length ? oldMeta.files : undefined);
    if (reactions === meta.reactions && files === meta.files) {
        return incoming;
    }
    return {...incoming, metadata: {...meta, reactions, files} as Post['metadata']};
}

/** Adds posts to the map (newest copy wins) and returns the new map. */
export function upsertPosts(posts: PostMap, incoming: Post[]): PostMap {
    if (incoming.length === 0) {
        return posts;
    }
    const out = {...posts};
    for (const p of incoming) {
        out[p.id] = newer(out[p.id], p);
    }
    return out;
}

/** Rebuilds a channel's order from ids it had plus ids that arrived, deduplicated and sorted. */
export function mergeOrder(posts: PostMap, channelId: string, current: string[], added: string[]): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const id of [...current, ...added]) {
        const p = posts[id];
        if (seen.has(id) || !p || p.channel_id !== channelId || !showsInChannel(p)) {
            continue;
        }
        seen.add(id);
        out.push(id);
    }
    return out.sort(byTime(posts));
}

/** Applies a REST page to a channel. `older` is true for a page loaded with `before`. */
export function applyPage(
    posts: PostMap,
    view: ChannelPosts,
    channelId: string,
    list: PostList,
    opts: {older?: boolean; perPage?: number; since?: boolean} = {},
): {posts: PostMap; view: ChannelPosts} {
    const incoming = Object.values(list.posts ?? {});
    const nextPosts = upsertPosts(posts, incoming);
    const order = mergeOrder(nextPosts, channelId, view.order, incoming.map((p) => p.id));
    let hasMoreBefore = view.hasMoreBefore;
    if (!opts.since && (!view.loaded || opts.older)) {
        // A full page means there may be more; a short one reached the channel's start.
        hasMoreBefore = opts.perPage !== undefined && (list.order?.length ?? 0) >= opts.perPage;
    }
    return {posts: nextPosts, view: {order, hasMoreBefore, loaded: view.loaded || !opts.since}};
}

/** Applies one post that arrived by event (posted, edited or deleted). */
export function applyPost(posts: PostMap, view: ChannelPosts, post: Post): {posts: PostMap; view: ChannelPosts; isNew: boolean} {
    const isNew = !posts[post.id];
    const nextPosts = upsertPosts(posts, [post]);
    const kept = nextPosts[post.id];
    let order = view.order;
    if (!showsInChannel(kept)) {
        order = order.filter((id) => id !== post.id);
    } else if (!order.includes(post.id)) {
        order = mergeOrder(nextPosts, post.channel_id, order, [post.id]);
    }
    return {posts: nextPosts, view: {...view, order}, isNew};
}

/** The replies of a thread, oldest first (deleted ones left out). */
export function threadReplies(posts: PostMap, rootId: string): Post[] {
    return Object.values(posts).filter((p) => p.root_id === rootId && !p.delete_at).sort((a, b) => a.create_at - b.create_at);
}

/** The latest server timestamp seen in a channel: where a resync starts from. */
export function latestChange(posts: PostMap, channelId: string): number {
    let max = 0;
    for (const p of Object.values(posts)) {
        if (p.channel_id === channelId && !p.pending_post_id?.startsWith('local:')) {
            max = Math.max(max, p.update_at || 0, p.create_at || 0, p.delete_at || 0);
        }
    }
    return max;
}

export type ListItem =
    | {kind: 'day'; key: string; day: number}
    | {kind: 'post'; key: string; post: Post; continued: boolean};

/** Five minutes: consecutive posts by one author within this collapse under one header. */
const CONTINUE_MS = 5 * 60 * 1000;

/** Lays posts out with a separator at each new day and compact follow-ups. */
export function layout(list: Post[]): ListItem[] {
    const items: ListItem[] = [];
    let lastDay = -1;
    let prev: Post | undefined;
    for (const post of list) {
        const day = startOfDay(post.create_at);
        if (day !== lastDay) {
            items.push({kind: 'day', key: `day-${day}`, day});
            lastDay = day;
            prev = undefined;
        }
        const continued = Boolean(prev && prev.user_id === post.user_id && post.create_at - prev.create_at < CONTINUE_MS &&
            !post.props?.from_webhook && (post.type || '') === (prev.type || ''));
        items.push({kind: 'post', key: post.id, post, continued});
        prev = post;
    }
    return items;
}
