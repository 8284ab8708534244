import {beforeEach, describe, expect, it} from 'vitest';
import {handleEvent} from '../src/state/events';
import {channelPosts, channels, currentChannelId, me, myMembers, posts, typing} from '../src/state/store';
import type {Channel, ChannelMembership, Post, User} from '../src/state/types';

const post = (over: Partial<Post>): Post => ({id: 'p1', create_at: 1, update_at: 1, edit_at: 0, delete_at: 0, is_pinned: false, user_id: 'bob', channel_id: 'c1',
    root_id: '', original_id: '', message: 'hi', type: '' as Post['type'], props: {}, hashtags: '', pending_post_id: '', reply_count: 0, metadata: {} as Post['metadata'], ...over});

function posted(p: Post, mentions: string[] = []) {
    handleEvent({event: 'posted', seq: 1, broadcast: {channel_id: p.channel_id}, data: {post: JSON.stringify(p), team_id: 't1', mentions: JSON.stringify(mentions)}});
}

describe('event handling', () => {
    beforeEach(() => {
        // Profile look-ups go nowhere in unit tests; the state logic is what is under test.
        globalThis.fetch = (async () => new Response('[]', {status: 200, headers: {'Content-Type': 'application/json'}})) as typeof fetch;
        me.value = {id: 'alice', username: 'alice'} as User;
        channels.value = {c1: {id: 'c1', team_id: 't1', type: 'O', name: 'ops', total_msg_count: 3} as Channel};
        myMembers.value = {c1: {channel_id: 'c1', user_id: 'alice', msg_count: 3, mention_count: 0} as ChannelMembership};
        posts.value = {};
        channelPosts.value = {};
        currentChannelId.value = 'other';
    });

    it('a new post in another channel counts as unread, a mention as a mention, and only once', () => {
        posted(post({}), ['alice']);
        posted(post({}), ['alice']);
        expect(channels.value.c1.total_msg_count).toBe(4);
        expect(myMembers.value.c1.msg_count).toBe(3);
        expect(myMembers.value.c1.mention_count).toBe(1);
        expect(channelPosts.value.c1.order).toEqual(['p1']);
    });

    it('a reply bumps its root\'s reply count', () => {
        posted(post({id: 'root'}));
        posted(post({id: 'r1', root_id: 'root', create_at: 2, update_at: 2}));
        expect(posts.value.root.reply_count).toBe(1);
        expect(channelPosts.value.c1.order).toEqual(['root']);
    });

    it('reading elsewhere clears the unread state', () => {
        posted(post({}), ['alice']);
        handleEvent({event: 'multiple_channels_viewed', seq: 2, broadcast: {}, data: {channel_times: {c1: 99}}});
        expect(myMembers.value.c1.msg_count).toBe(4);
        expect(myMembers.value.c1.mention_count).toBe(0);
    });

    it('edits, deletions and reactions apply to the post', () => {
        posted(post({}));
        handleEvent({event: 'reaction_added', seq: 2, broadcast: {}, data: {reaction: JSON.stringify({user_id: 'bob', post_id: 'p1', emoji_name: 'eyes', create_at: 5})}});
        handleEvent({event: 'post_edited', seq: 3, broadcast: {}, data: {post: JSON.stringify(post({message: 'edited', update_at: 9, edit_at: 9}))}});
        expect(posts.value.p1.message).toBe('edited');
        expect(posts.value.p1.metadata.reactions?.length).toBe(1);
        handleEvent({event: 'post_deleted', seq: 4, broadcast: {}, data: {post: JSON.stringify(post({delete_at: 10, update_at: 10}))}});
        expect(channelPosts.value.c1.order).toEqual([]);
    });

    it('shows and clears typing', () => {
        handleEvent({event: 'typing', seq: 1, broadcast: {channel_id: 'c1'}, data: {user_id: 'bob', parent_id: ''}});
        expect(Object.keys(typing.value.c1)).toEqual(['bob']);
        posted(post({}));
        expect(Object.keys(typing.value.c1)).toEqual([]);
    });
});
