// The whole chat flow of issue 2 through Mattermost's official TypeScript client: accounts,
// a team, channels of every kind, posts and threads, reactions, pins, files, search, unread
// state, status, preferences, logout, and the WebSocket events a second user sees.
//
// The steps share state and run in order; each asserts on the values the server returned.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, RUN, newClient, openSocket, rawFetch, waitFor } from './support.js';

const names = {
    alice: `alice${RUN}`,
    bob: `bob${RUN}`,
    carol: `carol${RUN}`,
};

/** Signs a user up with Client4.createUser and logs them in on a fresh client. */
async function signUpAndLogin(username) {
    const anon = newClient();
    const created = await anon.createUser({ username, email: `${username}@example.org`, password: PASSWORD });
    assert.equal(created.username, username);
    assert.match(created.id, /^[a-z0-9]{26}$/);
    const client = newClient();
    const me = await client.login(username, PASSWORD);
    assert.equal(me.id, created.id);
    assert.match(client.getToken(), /^[a-z0-9]{26}$/, 'login takes the session from the Token header');
    return { client, user: me };
}

describe('chat flow through Client4 and WebSocketClient', () => {
    let alice;
    let bob;
    let carol;
    let team;
    let publicChannel;
    let privateChannel;
    let socket;
    const posts = {};

    before(async () => {
        alice = await signUpAndLogin(names.alice);
        bob = await signUpAndLogin(names.bob);
        carol = await signUpAndLogin(names.carol);
    });

    after(() => {
        socket?.client.close();
    });

    test('getMe returns the logged-in user with their own e-mail', async () => {
        const me = await bob.client.getMe();
        assert.equal(me.id, bob.user.id);
        assert.equal(me.username, names.bob);
        assert.equal(me.email, `${names.bob}@example.org`);
        assert.match(me.roles, /system_user/);
    });

    test('roles/names returns the permissions the apps look for', async () => {
        const roles = await bob.client.getRolesByNames(['system_user', 'team_user', 'channel_user']);
        const byName = Object.fromEntries(roles.map((r) => [r.name, r]));
        assert.deepEqual(Object.keys(byName).sort(), ['channel_user', 'system_user', 'team_user']);
        assert.ok(byName.channel_user.permissions.includes('create_post'));
        assert.ok(byName.channel_user.permissions.includes('add_reaction'));
        assert.ok(byName.team_user.permissions.includes('create_public_channel'));
        assert.ok(byName.system_user.permissions.includes('create_direct_channel'));
    });

    test('create a team and add the other two users', async () => {
        team = await alice.client.createTeam({ name: `isac-${RUN}`, display_name: `ISAC ${RUN}`, type: 'O' });
        assert.equal(team.name, `isac-${RUN}`);
        assert.equal(team.type, 'O');
        for (const who of [bob, carol]) {
            const member = await alice.client.addToTeam(team.id, who.user.id);
            assert.equal(member.team_id, team.id);
            assert.equal(member.user_id, who.user.id);
        }
        const bobTeams = await bob.client.getMyTeams();
        assert.ok(bobTeams.some((t) => t.id === team.id));
    });

    test('create a public and a private channel; bob joins both', async () => {
        publicChannel = await alice.client.createChannel({ team_id: team.id, name: `general-${RUN}`, display_name: 'General', type: 'O' });
        assert.equal(publicChannel.type, 'O');
        assert.equal(publicChannel.team_id, team.id);
        privateChannel = await alice.client.createChannel({ team_id: team.id, name: `war-room-${RUN}`, display_name: 'War room', type: 'P' });
        assert.equal(privateChannel.type, 'P');

        const joined = await bob.client.addToChannel(bob.user.id, publicChannel.id);
        assert.equal(joined.channel_id, publicChannel.id);
        const added = await alice.client.addToChannel(bob.user.id, privateChannel.id);
        assert.equal(added.user_id, bob.user.id);

        const mine = await bob.client.getMyChannels(team.id);
        const ids = mine.map((c) => c.id);
        assert.ok(ids.includes(publicChannel.id));
        assert.ok(ids.includes(privateChannel.id));
        // Carol is in neither channel, so the private one must stay hidden from her.
        await assert.rejects(carol.client.getChannel(privateChannel.id), (err) => [403, 404].includes(err.status_code));
    });

    test('a direct channel and a group channel', async () => {
        const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
        assert.equal(dm.type, 'D');
        assert.equal(dm.name, [alice.user.id, bob.user.id].sort().join('__'));
        const again = await bob.client.createDirectChannel([bob.user.id, alice.user.id]);
        assert.equal(again.id, dm.id, 'the same pair gets the same channel');

        const gm = await alice.client.createGroupChannel([alice.user.id, bob.user.id, carol.user.id]);
        assert.equal(gm.type, 'G');
        assert.match(gm.name, /^[0-9a-f]{40}$/);
        const carolPost = await carol.client.createPost({ channel_id: gm.id, message: 'hello group' });
        assert.equal(carolPost.channel_id, gm.id);
        const dmPost = await bob.client.createPost({ channel_id: dm.id, message: 'hello alice' });
        assert.equal(dmPost.channel_id, dm.id);

        // Memberships across all teams include both conversations.
        const memberships = await bob.client.getAllChannelsMembers(bob.user.id);
        const channelIds = memberships.map((m) => m.channel_id);
        for (const id of [dm.id, gm.id, publicChannel.id, privateChannel.id]) {
            assert.ok(channelIds.includes(id), `${id} in ${channelIds}`);
        }
    });

    test('bob opens the WebSocket and gets hello with seq 0', async () => {
        socket = openSocket(bob.client.getToken());
        const hello = await waitFor('hello', () => socket.events.find((e) => e.event === 'hello'));
        assert.equal(hello.seq, 0);
        assert.match(hello.data.connection_id, /^[a-z0-9]{26}$/);
        assert.equal(hello.broadcast.user_id, bob.user.id);
        // The challenge reply carries seq_reply, never seq.
        const reply = socket.raw.find((m) => m.seq_reply === 1);
        assert.equal(reply?.status, 'OK');
        assert.equal(reply.seq, undefined);
    });

    test('post, reply in a thread, edit, delete and react: bob sees the events in order', async () => {
        posts.root = await alice.client.createPost({ channel_id: publicChannel.id, message: 'Phishing wave from 45.137.21.9 this morning' });
        assert.equal(posts.root.user_id, alice.user.id);
        assert.equal(posts.root.root_id, '');
        posts.reply = await bob.client.createPost({ channel_id: publicChannel.id, root_id: posts.root.id, message: 'Seen here too' });
        assert.equal(posts.reply.root_id, posts.root.id);
        posts.victim = await alice.client.createPost({ channel_id: publicChannel.id, message: 'wrong channel, sorry' });

        const edited = await alice.client.patchPost({ id: posts.root.id, message: 'Phishing wave from 45.137.21.9 this morning (confirmed)' });
        assert.equal(edited.message, 'Phishing wave from 45.137.21.9 this morning (confirmed)');
        assert.ok(edited.edit_at > 0);

        const deleted = await alice.client.deletePost(posts.victim.id);
        assert.equal(deleted.status, 'OK');

        const reaction = await alice.client.addReaction(alice.user.id, posts.root.id, 'eyes');
        assert.equal(reaction.emoji_name, 'eyes');
        assert.equal(reaction.post_id, posts.root.id);

        const wanted = ['posted', 'post_edited', 'post_deleted', 'reaction_added'];
        const seen = await waitFor('the reaction event', () => {
            const got = socket.events.filter((e) => wanted.includes(e.event));
            return got.length >= 6 ? got : null;
        });
        assert.deepEqual(
            seen.map((e) => e.event),
            ['posted', 'posted', 'posted', 'post_edited', 'post_deleted', 'reaction_added'],
        );
        // Post and reaction payloads are JSON strings inside `data`.
        const inner = seen.map((e) => JSON.parse(e.data.post ?? e.data.reaction));
        assert.deepEqual(
            inner.slice(0, 5).map((p) => p.id),
            [posts.root.id, posts.reply.id, posts.victim.id, posts.root.id, posts.victim.id],
        );
        assert.equal(inner[3].message, edited.message);
        assert.ok(inner[4].delete_at > 0);
        assert.equal(inner[5].post_id, posts.root.id);
        assert.equal(inner[5].emoji_name, 'eyes');
        assert.equal(seen[0].data.channel_type, 'O');
        assert.equal(seen[0].broadcast.channel_id, publicChannel.id);

        // Every event the server sent: hello at 0, then exactly one more each time, and the
        // client never had to close the socket over a gap.
        const numbered = socket.raw.filter((m) => m.event !== undefined);
        assert.deepEqual(numbered.map((m) => m.seq), numbered.map((_, i) => i));
        assert.equal(numbered[0].event, 'hello');
        assert.deepEqual(socket.closes, []);
        assert.equal(socket.client.serverSequence, numbered.length);
    });

    test('updatePost replaces the message', async () => {
        const full = await bob.client.getPost(posts.reply.id);
        const updated = await bob.client.updatePost({ ...full, message: 'Seen here too, blocked at the edge' });
        assert.equal(updated.id, posts.reply.id);
        assert.equal(updated.message, 'Seen here too, blocked at the edge');
        assert.ok(updated.edit_at > 0);
    });

    test('pin a post', async () => {
        const ok = await alice.client.pinPost(posts.root.id);
        assert.equal(ok.status, 'OK');
        const post = await bob.client.getPost(posts.root.id);
        assert.equal(post.is_pinned, true);
        const pinned = await bob.client.getPinnedPosts(publicChannel.id);
        assert.deepEqual(pinned.order, [posts.root.id]);
        assert.equal(pinned.posts[posts.root.id].is_pinned, true);
    });

    test('getPostThread returns the root and its reply', async () => {
        const thread = await bob.client.getPostThread(posts.reply.id);
        assert.deepEqual(new Set(thread.order), new Set([posts.root.id, posts.reply.id]));
        assert.equal(thread.posts[posts.reply.id].root_id, posts.root.id);
        assert.equal(thread.posts[posts.root.id].reply_count, 1);
        assert.deepEqual(
            thread.posts[posts.root.id].metadata.reactions.map((r) => [r.user_id, r.emoji_name]),
            [[alice.user.id, 'eyes']],
        );
    });

    test('deleted posts are gone', async () => {
        await assert.rejects(bob.client.getPost(posts.victim.id), (err) => err.status_code === 404);
    });

    test('channel posts page newest first, with before/after paging', async () => {
        const extra = [];
        for (let i = 0; i < 3; i++) {
            extra.push(await alice.client.createPost({ channel_id: publicChannel.id, message: `status update ${i}` }));
        }
        const page0 = await bob.client.getPosts(publicChannel.id, 0, 2);
        assert.deepEqual(page0.order, [extra[2].id, extra[1].id]);
        assert.equal(page0.prev_post_id, extra[0].id, 'prev_post_id is the next older post');
        const page1 = await bob.client.getPosts(publicChannel.id, 1, 2);
        assert.deepEqual(page1.order, [extra[0].id, posts.reply.id]);

        const before = await bob.client.getPostsBefore(publicChannel.id, extra[1].id, 0, 1);
        assert.deepEqual(before.order, [extra[0].id]);
        const afterPage = await bob.client.getPostsAfter(publicChannel.id, extra[0].id, 0, 5);
        assert.deepEqual(afterPage.order, [extra[2].id, extra[1].id]);

        // `since` is how clients resync after a reconnect: it must carry edits and deletions.
        const since = await bob.client.getPostsSince(publicChannel.id, posts.root.create_at);
        assert.ok(since.order.includes(posts.victim.id), 'a deleted post is reported to resyncing clients');
        assert.ok(since.posts[posts.victim.id].delete_at > 0);
        assert.match(since.posts[posts.root.id].message, /\(confirmed\)$/);
        assert.ok(since.order.includes(extra[2].id));

        const all = await bob.client.getPosts(publicChannel.id, 0, 60);
        assert.ok(!all.order.includes(posts.victim.id), 'the deleted post is not listed');
        assert.ok(all.order.includes(posts.root.id));
        const times = all.order.map((id) => all.posts[id].create_at);
        assert.deepEqual(times, [...times].sort((a, b) => b - a));
    });

    test('upload a file, attach it to a post, download the same bytes', async () => {
        const bytes = randomBytes(4096);
        const form = new FormData();
        form.append('channel_id', privateChannel.id);
        form.append('files', new Blob([bytes], { type: 'application/octet-stream' }), 'sample.bin');
        const uploaded = await alice.client.uploadFile(form);
        assert.equal(uploaded.file_infos.length, 1);
        const info = uploaded.file_infos[0];
        assert.equal(info.name, 'sample.bin');
        assert.equal(info.size, bytes.length);

        const post = await alice.client.createPost({ channel_id: privateChannel.id, message: 'capture attached', file_ids: [info.id] });
        posts.capture = post;
        assert.deepEqual(post.file_ids, [info.id]);
        const infos = await bob.client.getFileInfosForPost(post.id);
        assert.deepEqual(infos.map((f) => f.id), [info.id]);

        const url = bob.client.getFileUrl(info.id);
        assert.ok(url.startsWith(`${bob.client.getUrl()}/api/v4/files/`));
        const r = await fetch(url, { headers: { Authorization: `Bearer ${bob.client.getToken()}` } });
        assert.equal(r.status, 200);
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes), 'downloaded bytes equal the upload');

        // Carol is not in the private channel, so she may not read the file.
        const denied = await rawFetch(`/api/v4/files/${info.id}`, carol.client.getToken());
        assert.ok([403, 404].includes(denied.status), `carol got ${denied.status}`);
    });

    test('search by word and by IP address', async () => {
        const near = await alice.client.createPost({ channel_id: publicChannel.id, message: 'Different host 45.137.21.90 scanning' });
        const word = await alice.client.createPost({ channel_id: privateChannel.id, message: 'Exfiltration over DNS tunnels observed' });
        posts.exfiltration = word;

        const byIp = await bob.client.searchPosts(team.id, '45.137.21.9', false);
        assert.deepEqual(byIp.order, [posts.root.id], 'only the exact IP matches, not 45.137.21.90');
        assert.ok(byIp.posts[posts.root.id].message.includes('45.137.21.9'));

        const byOtherIp = await bob.client.searchPosts(team.id, '45.137.21.90', false);
        assert.deepEqual(byOtherIp.order, [near.id]);

        const byWord = await bob.client.searchPosts(team.id, 'exfiltration', false);
        assert.deepEqual(byWord.order, [word.id]);

        // Carol is in neither channel: she finds nothing.
        const carolView = await carol.client.searchPosts(team.id, 'exfiltration', false);
        assert.deepEqual(carolView.order, []);
    });

    test('unread counts fall to zero after viewMyChannel', async () => {
        const channel = await bob.client.getChannel(privateChannel.id);
        const memberBefore = await bob.client.getMyChannelMember(privateChannel.id);
        assert.ok(channel.total_msg_count - memberBefore.msg_count > 0, 'bob has unread posts in the war room');
        const teamUnreads = await bob.client.getMyTeamUnreads();
        const mine = teamUnreads.find((u) => u.team_id === team.id);
        assert.ok(mine && mine.msg_count > 0, `team unread for bob: ${JSON.stringify(teamUnreads)}`);

        // Opening the channel: the page around the first post bob has not seen.
        const around = await bob.client.getPostsUnread(privateChannel.id, bob.user.id);
        assert.deepEqual(around.order, [posts.exfiltration.id, posts.capture.id]);
        assert.deepEqual(around.posts[posts.capture.id].metadata.files.map((f) => f.name), ['sample.bin']);

        const viewed = await bob.client.viewMyChannel(privateChannel.id);
        assert.equal(viewed.status, 'OK');
        assert.ok(viewed.last_viewed_at_times[privateChannel.id] > 0);

        const memberAfter = await bob.client.getMyChannelMember(privateChannel.id);
        const channelAfter = await bob.client.getChannel(privateChannel.id);
        assert.equal(channelAfter.total_msg_count - memberAfter.msg_count, 0);
        assert.ok(memberAfter.last_viewed_at >= memberBefore.last_viewed_at);
        await waitFor('multiple_channels_viewed', () => socket.events.find((e) => e.event === 'multiple_channels_viewed'));

        // The sidebar's "mark as read" for several channels at once.
        const unreadIn = async (id) => (await bob.client.getChannel(id)).total_msg_count - (await bob.client.getMyChannelMember(id)).msg_count;
        assert.ok((await unreadIn(publicChannel.id)) > 0, 'alice posted in general after bob last read it');
        const read = await bob.client.readMultipleChannels([publicChannel.id]);
        assert.equal(read.status, 'OK');
        assert.ok(read.last_viewed_at_times[publicChannel.id] > 0);
        assert.equal(await unreadIn(publicChannel.id), 0);

        // "Mark as Unread" from the last post of the war room brings one unread message back.
        const unreadAt = await bob.client.markPostAsUnread(bob.user.id, posts.exfiltration.id);
        assert.equal(unreadAt.channel_id, privateChannel.id);
        assert.equal(unreadAt.team_id, team.id);
        assert.equal(unreadAt.last_viewed_at, posts.exfiltration.create_at - 1);
        assert.equal(await unreadIn(privateChannel.id), 1);
        const event = await waitFor('post_unread', () => socket.events.find((e) => e.event === 'post_unread'));
        assert.equal(event.data.post_id, posts.exfiltration.id);
        assert.equal(event.broadcast.channel_id, privateChannel.id);
        assert.equal(event.data.msg_count, unreadAt.msg_count);
    });

    test('status: bob is online while connected; alice can set dnd', async () => {
        const bobStatus = await alice.client.getStatus(bob.user.id);
        assert.equal(bobStatus.user_id, bob.user.id);
        assert.equal(bobStatus.status, 'online');
        const set = await alice.client.updateStatus({ user_id: alice.user.id, status: 'dnd' });
        assert.equal(set.status, 'dnd');
        const statuses = await bob.client.getStatusesByIds([alice.user.id, bob.user.id]);
        const byUser = Object.fromEntries(statuses.map((s) => [s.user_id, s.status]));
        assert.deepEqual(byUser, { [alice.user.id]: 'dnd', [bob.user.id]: 'online' });
    });

    test('preferences round-trip', async () => {
        const pref = { user_id: alice.user.id, category: 'display_settings', name: 'use_military_time', value: 'true' };
        const ok = await alice.client.savePreferences(alice.user.id, [pref]);
        assert.equal(ok.status, 'OK');
        const prefs = await alice.client.getMyPreferences();
        assert.deepEqual(prefs.filter((p) => p.category === 'display_settings' && p.name === 'use_military_time'), [pref]);
        await alice.client.deletePreferences(alice.user.id, [pref]);
        const after = await alice.client.getMyPreferences();
        assert.equal(after.filter((p) => p.name === 'use_military_time').length, 0);
    });

    test('every event bob received was numbered without a gap', () => {
        const numbered = socket.raw.filter((m) => m.event !== undefined);
        assert.ok(numbered.length > 6);
        assert.deepEqual(numbered.map((m) => m.seq), numbered.map((_, i) => i));
        assert.deepEqual(socket.closes, []);
    });

    test('logout ends the session: the old token stops working', async () => {
        const token = alice.client.getToken();
        const response = await alice.client.logout();
        assert.equal(response.status, 200);
        assert.equal(alice.client.getToken(), '');
        const stale = newClient(token);
        await assert.rejects(stale.getMe(), (err) => {
            assert.equal(err.status_code, 401);
            return true;
        });
    });
});
