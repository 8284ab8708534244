import {describe, expect, it} from 'vitest';
import type {Post} from '@mattermost/types/posts';
import {applyPage, applyPost, emptyChannelPosts, latestChange, layout, newer, threadReplies} from '../src/lib/posts';

let n = 0;
function p(over: Partial<Post> = {}): Post {
    n++;
    return {
        id: `p${String(n).padStart(3, '0')}`, create_at: 1000 * n, update_at: 1000 * n, edit_at: 0, delete_at: 0, is_pinned: false, user_id: 'u1',
        channel_id: 'c1', root_id: '', original_id: '', message: `m${n}`, type: '' as Post['type'], props: {}, hashtags: '', pending_post_id: '',
        reply_count: 0, metadata: {} as Post['metadata'], ...over,
    };
}
const list = (posts: Post[]) => ({order: posts.map((x) => x.id).reverse(), posts: Object.fromEntries(posts.map((x) => [x.id, x])), next_post_id: '', prev_post_id: '', first_inaccessible_post_time: 0});

describe('channel post lists', () => {
    it('merges pages and events without duplicates, oldest first', () => {
        const [a, b, c] = [p(), p(), p()];
        let s = applyPage({}, emptyChannelPosts(), 'c1', list([b, c]), {perPage: 2});
        expect(s.view.order).toEqual([b.id, c.id]);
        expect(s.view.hasMoreBefore).toBe(true);
        const e = applyPost(s.posts, s.view, c);
        expect(e.isNew).toBe(false);
        expect(e.view.order).toEqual([b.id, c.id]);
        s = applyPage(e.posts, e.view, 'c1', list([a]), {older: true, perPage: 2});
        expect(s.view.order).toEqual([a.id, b.id, c.id]);
        expect(s.view.hasMoreBefore).toBe(false);
    });

    it('a resync page with the same posts plus new ones adds only the new ones', () => {
        const [a, b] = [p(), p()];
        const s = applyPage({}, emptyChannelPosts(), 'c1', list([a, b]), {perPage: 60});
        const c = p();
        const r = applyPage(s.posts, s.view, 'c1', list([b, c]), {since: true});
        expect(r.view.order).toEqual([a.id, b.id, c.id]);
        expect(r.view.hasMoreBefore).toBe(false);
    });

    it('keeps replies and other channels out of the channel list', () => {
        const root = p();
        const reply = p({root_id: root.id});
        const other = p({channel_id: 'c2'});
        const s = applyPage({}, emptyChannelPosts(), 'c1', list([root, reply, other]), {perPage: 60});
        expect(s.view.order).toEqual([root.id]);
        expect(threadReplies(s.posts, root.id).map((x) => x.id)).toEqual([reply.id]);
    });

    it('removes a deleted post and ignores stale copies', () => {
        const a = p();
        const s = applyPage({}, emptyChannelPosts(), 'c1', list([a]), {perPage: 60});
        const deleted = {...a, delete_at: a.create_at + 5, update_at: a.create_at + 5, message: ''};
        const d = applyPost(s.posts, s.view, deleted);
        expect(d.view.order).toEqual([]);
        const stale = applyPost(d.posts, d.view, a);
        expect(stale.view.order).toEqual([]);
        expect(stale.posts[a.id].delete_at).toBeGreaterThan(0);
    });

    it('keeps reactions and files an event copy does not carry', () => {
        const reactions = [{user_id: 'u2', post_id: 'x', emoji_name: 'eyes', create_at: 1}];
        const files = [{id: 'f1'}];
        const old = p({metadata: {reactions, files} as unknown as Post['metadata'], file_ids: ['f1']});
        const edited = {...old, message: 'new', update_at: old.update_at + 1, metadata: {} as Post['metadata']};
        const merged = newer(old, edited);
        expect(merged.message).toBe('new');
        expect(merged.metadata.reactions).toEqual(reactions);
        expect(merged.metadata.files).toEqual(files);
        const cleared = newer(old, {...edited, has_reactions: false} as Post);
        expect(cleared.metadata.reactions).toBeUndefined();
    });

    it('finds the latest change to resync from', () => {
        const a = p({channel_id: 'c9'});
        const b = p({channel_id: 'c9', update_at: 999999});
        expect(latestChange({[a.id]: a, [b.id]: b}, 'c9')).toBe(999999);
        expect(latestChange({}, 'c9')).toBe(0);
    });
});

describe('layout', () => {
    it('puts a separator at each new day and collapses follow-ups from one author', () => {
        const day1 = new Date(2024, 2, 1, 10, 0).getTime();
        const day2 = new Date(2024, 2, 2, 9, 0).getTime();
        const posts = [
            p({create_at: day1, user_id: 'a'}), p({create_at: day1 + 60000, user_id: 'a'}), p({create_at: day1 + 120000, user_id: 'b'}),
            p({create_at: day1 + 20 * 60000, user_id: 'b'}), p({create_at: day2, user_id: 'b'}),
        ];
        const items = layout(posts);
        expect(items.map((i) => i.kind === 'day' ? 'D' : (i.continued ? 'c' : 'P')).join('')).toBe('DPcPPDP');
    });
});
