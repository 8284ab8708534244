// Everything that talks to the server over REST and updates the state.
import {batch} from '@preact/signals';
import {Client4} from '@mattermost/client';
import {applyPage, applyPost, emptyChannelPosts, latestChange, upsertPosts} from '../lib/posts';
import {Socket} from '../lib/socket';
import {handleEvent} from './events';
import {channelPath, navigate, route} from './router';
import {
    anyChannel, boot, channelPosts, channels, currentChannelId, currentTeamId, everOnline, failedPosts, firstRunHint, highlightPostId, me,
    myMembers, myTeamMembers, posts, putChannelIfMissing, rhs, socketStatus, teamUnreads, teams, users,
} from './store';
import type {Channel, ChannelMembership, FileInfo, Post, PostList, Team, TeamMembership, User} from './types';

export const client = new Client4();
client.setUrl('');

export const PAGE = 60;

let socket: Socket | null = null;

export function errorText(e: unknown): string {
    const m = (e as {message?: string})?.message;
    return m || 'Something went wrong.';
}

// ---- session ---------------------------------------------------------------------------

export async function start(): Promise<void> {
    try {
        const user = await client.getMe() as User;
        me.value = user;
        users.value = {...users.value, [user.id]: user};
        await loadTeams();
        boot.value = 'ready';
        connectSocket();
    } catch {
        boot.value = 'anon';
    }
}

export async function login(loginId: string, password: string): Promise<void> {
    const user = await client.login(loginId, password) as User;
    me.value = user;
    users.value = {...users.value, [user.id]: user};
    await loadTeams();
    boot.value = 'ready';
    connectSocket();
}

export async function signup(input: {email: string; username: string; password: string; first_name: string; last_name: string; organization: string}): Promise<void> {
    await client.createUser({...input, props: {organization: input.organization}} as unknown as User, '', '');
    await login(input.username, input.password);
    if ((me.value?.roles || '').includes('system_admin') && teams.value.length === 0) {
        firstRunHint.value = true;
    }
}

export async function logout(): Promise<void> {
    try {
        await client.logout();
    } catch {
        // The session may already be gone; the cookies are cleared either way.
    }
    socket?.stop();
    socket = null;
    location.assign('/login');
}

function connectSocket() {
    if (socket) {
        return;
    }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new Socket({url: `${proto}//${location.host}/api/v4/websocket`}, {
        onEvent: handleEvent,
        onHello: (reconnect) => {
            if (reconnect) {
                void resync();
            }
        },
        onStatus: (s) => {
            socketStatus.value = s;
            if (s === 'online') {
                everOnline.value = true;
            }
        },
    });
    socket.connect();
}

let lastTyping = 0;
export function sendTyping(channelId: string, parentId: string): void {
    const now = Date.now();
    if (now - lastTyping < 3000) {
        return;
    }
    lastTyping = now;
    socket?.send('user_typing', {channel_id: channelId, parent_id: parentId});
}

// ---- teams and channels ----------------------------------------------------------------

export async function loadTeams(): Promise<void> {
    const [list, unreads, memberships] = await Promise.all([
        client.getMyTeams() as Promise<Team[]>,
        client.getMyTeamUnreads().catch(() => []),
        client.getMyTeamMembers().catch(() => [] as TeamMembership[]),
    ]);
    batch(() => {
        const mine: Record<string, TeamMembership> = {};
        for (const m of memberships) {
            mine[m.team_id] = m;
        }
        myTeamMembers.value = mine;
        teams.value = list.filter((t) => !t.delete_at).sort((a, b) => a.display_name.localeCompare(b.display_name));
        const map: Record<string, {msg: number; mention: number}> = {};
        for (const u of unreads as Array<{team_id: string; msg_count: number; mention_count: number}>) {
            map[u.team_id] = {msg: u.msg_count, mention: u.mention_count};
        }
        teamUnreads.value = map;
    });
}

export async function createTeam(displayName: string, name: string): Promise<Team> {
    const team = await client.createTeam({display_name: displayName, name, type: 'O'} as Team) as Team;
    await loadTeams();
    return team;
}

export async function joinableTeams(): Promise<Team[]> {
    const all = await client.getTeams(0, 200) as Team[];
    const mine = new Set(teams.value.map((t) => t.id));
    return all.filter((t) => !mine.has(t.id) && t.allow_open_invite);
}

export async function joinTeam(team: Team): Promise<void> {
    await client.addToTeam(team.id, me.value!.id);
    await loadTeams();
}

/** Loads the caller's channels and read state for a team (DMs and group DMs included). */
export async function loadTeamChannels(teamId: string): Promise<void> {
    const [list, members] = await Promise.all([
        client.getMyChannels(teamId) as Promise<Channel[]>,
        client.getMyChannelMembers(teamId) as Promise<ChannelMembership[]>,
    ]);
    batch(() => {
        const chMap = {...channels.value};
        for (const c of list) {
            chMap[c.id] = c;
        }
        channels.value = chMap;
        const memMap = {...myMembers.value};
        for (const m of members) {
            memMap[m.channel_id] = m;
        }
        myMembers.value = memMap;
    });
    const partnerIds = new Set<string>();
    const myId = me.value!.id;
    for (const c of list) {
        if (c.type === 'D') {
            for (const id of c.name.split('__')) {
                partnerIds.add(id);
            }
        }
    }
    partnerIds.delete(myId);
    await ensureUsers([...partnerIds]);
}

const loadedTeams = new Set<string>();

export async function enterTeam(team: Team): Promise<void> {
    if (currentTeamId.value !== team.id) {
        currentTeamId.value = team.id;
        rhs.value = null;
        localStorage.setItem('conclave.lastTeam', team.name);
        // Channels of a team left earlier may have changed while events went unwatched.
        loadedTeams.delete(team.id);
    }
    if (loadedTeams.has(team.id)) {
        return;
    }
    await loadTeamChannels(team.id);
    loadedTeams.add(team.id);
    const unread = {...teamUnreads.value};
    delete unread[team.id];
    teamUnreads.value = unread;
}

const pendingUsers = new Set<string>();
/** Fetches profiles not known yet (batched). */
export async function ensureUsers(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => id && !users.value[id] && !pendingUsers.has(id));
    if (missing.length === 0) {
        return;
    }
    missing.forEach((id) => pendingUsers.add(id));
    try {
        const list = await client.getProfilesByIds(missing) as User[];
        const map = {...users.value};
        for (const u of list) {
            map[u.id] = u;
        }
        users.value = map;
    } catch {
        // Names fill in later (the next event or page asks again); never block on them.
    } finally {
        missing.forEach((id) => pendingUsers.delete(id));
    }
}

export function putChannel(c: Channel): void {
    channels.value = {...channels.value, [c.id]: c};
}

export function putMember(m: ChannelMembership): void {
    myMembers.value = {...myMembers.value, [m.channel_id]: m};
}

export async function refreshChannel(channelId: string): Promise<Channel | null> {
    try {
        const [c, m] = await Promise.all([
            client.getChannel(channelId) as Promise<Channel>,
            client.getMyChannelMember(channelId) as Promise<ChannelMembership>,
        ]);
        batch(() => {
            putChannel(c);
            putMember(m);
        });
        if (c.type === 'D') {
            await ensureUsers(c.name.split('__'));
        }
        return c;
    } catch {
        return null;
    }
}

export async function createChannel(input: {display_name: string; name: string; purpose: string; type: 'O' | 'P'; tlp: string}): Promise<Channel> {
    const c = await client.createChannel({...input, team_id: currentTeamId.value} as unknown as Channel) as Channel;
    await refreshChannel(c.id);
    return c;
}

export async function patchChannel(id: string, patch: Partial<Channel>): Promise<void> {
    const c = await client.patchChannel(id, patch as Channel) as Channel;
    putChannel(c);
}

/** A public channel of the team by its URL name, for joining from a link. */
export async function publicChannelByName(teamId: string, name: string): Promise<Channel | null> {
    try {
        const c = await client.getChannelByName(teamId, name) as Channel;
        return c.type === 'O' && !c.delete_at ? c : null;
    } catch {
        return null;
    }
}

export async function publicChannels(): Promise<Channel[]> {
    return await client.getChannels(currentTeamId.value, 0, 200) as Channel[];
}

export async function joinChannel(c: Channel): Promise<void> {
    await client.addToChannel(me.value!.id, c.id);
    await refreshChannel(c.id);
}

export async function leaveChannel(c: Channel): Promise<void> {
    await client.removeFromChannel(me.value!.id, c.id);
    removeChannelLocally(c.id);
}

export function removeChannelLocally(channelId: string): void {
    const ch = {...channels.value};
    const removed = ch[channelId];
    delete ch[channelId];
    channels.value = ch;
    if (currentChannelId.value === channelId && removed) {
        const team = teams.value.find((t) => t.id === currentTeamId.value);
        if (team) {
            navigate(channelPath(team.name, 'town-square'), true);
        }
    }
}

export async function openDirect(userIds: string[]): Promise<Channel> {
    const myId = me.value!.id;
    const others = userIds.filter((id) => id !== myId);
    const c = (others.length <= 1 ?
        await client.createDirectChannel([myId, others[0] ?? myId]) :
        await client.createGroupChannel([myId, ...others])) as Channel;
    await refreshChannel(c.id);
    return c;
}

export async function searchUsers(term: string): Promise<User[]> {
    const list = await client.searchUsers(term, {team_id: ''}) as User[];
    const map = {...users.value};
    for (const u of list) {
        map[u.id] = u;
    }
    users.value = map;
    return list;
}

export async function listUsers(page = 0): Promise<User[]> {
    const list = await client.getProfiles(page, 100) as User[];
    const map = {...users.value};
    for (const u of list) {
        map[u.id] = u;
    }
    users.value = map;
    return list;
}

export async function autocompleteUsers(prefix: string, channelId: string): Promise<User[]> {
    const res = await client.autocompleteUsers(prefix, currentTeamId.value, channelId, {limit: 8}) as unknown as {users: User[]; out_of_channel?: User[]};
    const list = [...(res.users || []), ...(res.out_of_channel || [])].slice(0, 8);
    const map = {...users.value};
    for (const u of list) {
        map[u.id] = u;
    }
    users.value = map;
    return list;
}

export async function channelMembers(channelId: string): Promise<Array<ChannelMembership & {user: User}>> {
    const members = await client.getChannelMembers(channelId, 0, 200) as ChannelMembership[];
    await ensureUsers(members.map((m) => m.user_id));
    return members.map((m) => ({...m, user: users.value[m.user_id]})).filter((m) => m.user);
}

export async function channelStats(channelId: string): Promise<{member_count: number; pinnedpost_count: number}> {
    return await client.getChannelStats(channelId) as unknown as {member_count: number; pinnedpost_count: number};
}

// ---- posts -----------------------------------------------------------------------------

function setChannelPosts(channelId: string, next: {posts: typeof posts.value; view: ReturnType<typeof emptyChannelPosts>}) {
    batch(() => {
        posts.value = next.posts;
        channelPosts.value = {...channelPosts.value, [channelId]: next.view};
    });
}

function authorsOf(list: PostList): string[] {
    return Object.values(list.posts || {}).map((p) => p.user_id);
}

export async function loadLatest(channelId: string): Promise<void> {
    const list = await client.getPosts(channelId, 0, PAGE) as PostList;
    await ensureUsers(authorsOf(list));
    const view = channelPosts.value[channelId] ?? emptyChannelPosts();
    setChannelPosts(channelId, applyPage(posts.value, view, channelId, list, {perPage: PAGE}));
}

const loadingOlder = new Set<string>();
/** Loads the page before the oldest loaded post; returns whether anything was added. */
export async function loadOlder(channelId: string): Promise<boolean> {
    const view = channelPosts.value[channelId];
    if (!view || !view.hasMoreBefore || loadingOlder.has(channelId)) {
        return false;
    }
    loadingOlder.add(channelId);
    try {
        const oldest = view.order[0];
        const list = (oldest ? await client.getPostsBefore(channelId, oldest, 0, PAGE) : await client.getPosts(channelId, 0, PAGE)) as PostList;
        await ensureUsers(authorsOf(list));
        const current = channelPosts.value[channelId] ?? view;
        setChannelPosts(channelId, applyPage(posts.value, current, channelId, list, {older: true, perPage: PAGE}));
        return (list.order?.length ?? 0) > 0;
    } finally {
        loadingOlder.delete(channelId);
    }
}

/** Loads older pages until `postId` is in the channel's list (a jump to a search result). */
export async function loadUntil(channelId: string, postId: string, maxPages = 20): Promise<boolean> {
    for (let i = 0; i < maxPages; i++) {
        const view = channelPosts.value[channelId];
        if (view?.order.includes(postId)) {
            return true;
        }
        if (!view?.loaded) {
            await loadLatest(channelId);
            continue;
        }
        if (!(await loadOlder(channelId))) {
            break;
        }
    }
    return Boolean(channelPosts.value[channelId]?.order.includes(postId));
}

let viewTimer: ReturnType<typeof setTimeout> | null = null;
/** Marks the current channel read on the server (debounced) and locally at once. */
export function markViewed(channelId: string, immediate = false): void {
    const c = channels.value[channelId];
    const m = myMembers.value[channelId];
    if (c && m && (m.msg_count !== c.total_msg_count || m.mention_count)) {
        putMember({...m, msg_count: c.total_msg_count, mention_count: 0, last_viewed_at: Date.now()});
    }
    if (viewTimer) {
        clearTimeout(viewTimer);
    }
    const send = () => {
        viewTimer = null;
        client.viewMyChannel(channelId).catch(() => undefined);
    };
    if (immediate) {
        send();
    } else {
        viewTimer = setTimeout(send, 400);
    }
}

/** Posts whose file infos are being fetched (events carry ids, not infos). */
const fetchingFiles = new Set<string>();

function ensureFileInfos(post: Post) {
    if (!post.file_ids?.length || post.metadata?.files?.length || post.delete_at || fetchingFiles.has(post.id)) {
        return;
    }
    fetchingFiles.add(post.id);
    client.getFileInfosForPost(post.id).then((infos) => {
        const cur = posts.value[post.id];
        if (cur) {
            posts.value = {...posts.value, [post.id]: {...cur, metadata: {...(cur.metadata ?? {}), files: infos} as Post['metadata']}};
        }
    }).catch(() => undefined).finally(() => fetchingFiles.delete(post.id));
}

export function applyIncoming(post: Post): {isNew: boolean} {
    const view = channelPosts.value[post.channel_id] ?? emptyChannelPosts();
    const res = applyPost(posts.value, view, post);
    batch(() => {
        posts.value = res.posts;
        if (channelPosts.value[post.channel_id] || !post.root_id) {
            channelPosts.value = {...channelPosts.value, [post.channel_id]: res.view};
        }
        if (post.pending_post_id && failedPosts.value[post.pending_post_id]) {
            const f = {...failedPosts.value};
            delete f[post.pending_post_id];
            failedPosts.value = f;
        }
    });
    ensureFileInfos(res.posts[post.id]);
    return {isNew: res.isNew};
}

export async function sendPost(channelId: string, message: string, rootId = '', fileIds: string[] = [], pendingId?: string): Promise<boolean> {
    const myId = me.value!.id;
    const pending = pendingId ?? `${myId}:${Date.now()}`;
    const draft = {channel_id: channelId, message, root_id: rootId, file_ids: fileIds, pending_post_id: pending} as unknown as Post;
    try {
        const created = await client.createPost(draft) as Post;
        const {isNew} = applyIncoming(created);
        if (isNew) {
            bumpAfterOwnPost(created);
        }
        return true;
    } catch (e) {
        failedPosts.value = {...failedPosts.value, [pending]: {post: {...draft, user_id: myId, create_at: Date.now(), id: pending} as Post, error: errorText(e)}};
        return false;
    }
}

/** After my own post: count it, keep the channel read, and count the reply on its root. */
export function bumpAfterOwnPost(post: Post): void {
    const c = channels.value[post.channel_id];
    if (c) {
        const total = (c.total_msg_count || 0) + 1;
        putChannel({...c, total_msg_count: total, last_post_at: post.create_at});
        const m = myMembers.value[post.channel_id];
        if (m) {
            putMember({...m, msg_count: total});
        }
    }
    if (post.root_id) {
        bumpReplyCount(post.root_id);
    }
}

export function bumpReplyCount(rootId: string): void {
    const root = posts.value[rootId];
    if (root) {
        posts.value = {...posts.value, [rootId]: {...root, reply_count: (root.reply_count || 0) + 1}};
    }
}

export async function retryFailed(pendingId: string): Promise<void> {
    const f = failedPosts.value[pendingId];
    if (!f) {
        return;
    }
    const rest = {...failedPosts.value};
    delete rest[pendingId];
    failedPosts.value = rest;
    await sendPost(f.post.channel_id, f.post.message, f.post.root_id, f.post.file_ids || [], pendingId);
}

export function discardFailed(pendingId: string): void {
    const rest = {...failedPosts.value};
    delete rest[pendingId];
    failedPosts.value = rest;
}

export async function editPost(id: string, message: string): Promise<void> {
    const p = await client.patchPost({id, message} as Post) as Post;
    applyIncoming(p);
}

export async function deletePost(id: string): Promise<void> {
    const p = posts.value[id];
    await client.deletePost(id);
    if (p) {
        applyIncoming({...p, delete_at: Date.now(), update_at: Date.now(), message: ''});
    }
    if (rhs.value?.kind === 'thread' && rhs.value.rootId === id) {
        rhs.value = null;
    }
}

export async function setPinned(id: string, pinned: boolean): Promise<void> {
    if (pinned) {
        await client.pinPost(id);
    } else {
        await client.unpinPost(id);
    }
    const p = posts.value[id];
    if (p) {
        posts.value = {...posts.value, [id]: {...p, is_pinned: pinned}};
    }
}

export async function toggleReaction(postId: string, emoji: string): Promise<void> {
    const myId = me.value!.id;
    const p = posts.value[postId];
    const mine = p?.metadata?.reactions?.some((r) => r.user_id === myId && r.emoji_name === emoji);
    if (mine) {
        await client.removeReaction(myId, postId, emoji);
        applyReaction({user_id: myId, post_id: postId, emoji_name: emoji, create_at: Date.now()}, false);
    } else {
        const r = await client.addReaction(myId, postId, emoji);
        applyReaction(r, true);
    }
}

export function applyReaction(r: {user_id: string; post_id: string; emoji_name: string; create_at: number}, added: boolean): void {
    const p = posts.value[r.post_id];
    if (!p) {
        return;
    }
    const list = (p.metadata?.reactions ?? []).filter((x) => !(x.user_id === r.user_id && x.emoji_name === r.emoji_name));
    if (added) {
        list.push(r as never);
    }
    posts.value = {...posts.value, [p.id]: {...p, metadata: {...(p.metadata ?? {}), reactions: list} as Post['metadata']}};
}

export async function loadThread(rootId: string): Promise<void> {
    const list = await client.getPostThread(rootId, true) as PostList;
    await ensureUsers(authorsOf(list));
    posts.value = upsertPosts(posts.value, Object.values(list.posts || {}));
}

export async function fetchPost(id: string): Promise<Post> {
    const p = await client.getPost(id) as Post;
    posts.value = upsertPosts(posts.value, [p]);
    await ensureUsers([p.user_id]);
    return p;
}

export async function pinnedPosts(channelId: string): Promise<Post[]> {
    const list = await client.getPinnedPosts(channelId) as PostList;
    await ensureUsers(authorsOf(list));
    posts.value = upsertPosts(posts.value, Object.values(list.posts || {}));
    return (list.order || []).map((id) => list.posts[id]).filter((p) => p && !p.delete_at);
}

export async function searchPosts(terms: string): Promise<Post[]> {
    const list = await client.searchPostsWithParams(currentTeamId.value, {terms, is_or_search: false, time_zone_offset: -new Date().getTimezoneOffset() * 60, page: 0, per_page: 60} as never) as PostList;
    await ensureUsers(authorsOf(list));
    const found = (list.order || []).map((id) => list.posts[id]).filter(Boolean);
    posts.value = upsertPosts(posts.value, found);
    const unknown = [...new Set(found.map((p) => p.channel_id))].filter((id) => !channels.value[id]);
    await Promise.all(unknown.map(async (id) => {
        try {
            putChannel(await client.getChannel(id) as Channel);
        } catch {
            // A channel we cannot read any more: its results still show, without a name.
        }
    }));
    return found;
}

export async function uploadFile(channelId: string, file: File, clientId: string): Promise<FileInfo> {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('client_ids', clientId);
    form.append('files', file, file.name);
    const res = await client.uploadFile(form) as {file_infos: FileInfo[]};
    return res.file_infos[0];
}

/** Opens the channel a post is in and highlights the post. */
export async function jumpToPost(postId: string): Promise<void> {
    let p = posts.value[postId];
    if (!p) {
        p = await fetchPost(postId);
    }
    let c: Channel | undefined = channels.value[p.channel_id] ?? (await refreshChannel(p.channel_id)) ?? undefined;
    if (!c) {
        // A public channel the reader has not joined: the channel page offers to join it.
        c = anyChannel(p.channel_id) ?? await client.getChannel(p.channel_id) as Channel;
        putChannelIfMissing(c);
    }
    const rootId = p.root_id || p.id;
    const team = teams.value.find((t) => t.id === c.team_id) ?? teams.value.find((t) => t.id === currentTeamId.value);
    if (!team) {
        return;
    }
    navigate(`${channelPath(team.name, c.name)}?post=${encodeURIComponent(rootId)}`);
    if (p.root_id) {
        rhs.value = {kind: 'thread', rootId};
    }
    highlightPostId.value = p.id;
}

// ---- resync ----------------------------------------------------------------------------

/**
 * After a reconnect: fetch everything that changed in each loaded channel since the newest
 * change we saw (the server's `since` includes edits, deletions and reactions), and reload
 * unread counts. Duplicates merge by id, so a post seen both ways shows once.
 */
export async function resync(): Promise<void> {
    const loaded = Object.entries(channelPosts.value).filter(([, v]) => v.loaded).map(([id]) => id);
    await Promise.all(loaded.map(async (channelId) => {
        const since = latestChange(posts.value, channelId);
        try {
            const list = await client.getPostsSince(channelId, since) as PostList;
            await ensureUsers(authorsOf(list));
            const view = channelPosts.value[channelId] ?? emptyChannelPosts();
            setChannelPosts(channelId, applyPage(posts.value, view, channelId, list, {since: true}));
        } catch {
            // The channel may be gone (removed while offline); the channel reload below says so.
        }
    }));
    if (currentTeamId.value) {
        await loadTeamChannels(currentTeamId.value).catch(() => undefined);
    }
    await loadTeams().catch(() => undefined);
    const open = rhs.value;
    if (open?.kind === 'thread') {
        await loadThread(open.rootId).catch(() => undefined);
    }
    if (currentChannelId.value && document.visibilityState === 'visible') {
        markViewed(currentChannelId.value);
    }
    void route;
}
