import {describe, expect, it} from 'vitest';
import {parseRoute} from '../src/state/router';
import {normalizeTlp, tlpClass} from '../src/lib/tlp';
import {channelLabel, displayName, dmPartnerId, unreadCount} from '../src/state/store';
import {mentionQuery} from '../src/ui/Composer';
import {slugify} from '../src/ui/SelectTeam';
import {dayLabel} from '../src/lib/time';
import type {Channel, User} from '../src/state/types';

const user = (over: Partial<User>): User => ({id: 'u', username: 'u', first_name: '', last_name: '', nickname: '', ...over} as User);

describe('router', () => {
    it('parses the app paths', () => {
        expect(parseRoute('/login')).toEqual({kind: 'login'});
        expect(parseRoute('/')).toEqual({kind: 'root'});
        expect(parseRoute('/isac/channels/town-square')).toEqual({kind: 'channel', team: 'isac', channel: 'town-square', postId: undefined});
        expect(parseRoute('/isac/channels/ops', '?post=abc')).toMatchObject({postId: 'abc'});
        expect(parseRoute('/isac/pl/p1')).toEqual({kind: 'permalink', team: 'isac', postId: 'p1'});
        expect(parseRoute('/a/b/c/d').kind).toBe('not_found');
    });
});

describe('TLP', () => {
    it('normalizes labels and picks colours', () => {
        expect(normalizeTlp('amber+strict')).toBe('AMBER+STRICT');
        expect(normalizeTlp('TLP:RED')).toBe('RED');
        expect(normalizeTlp('purple')).toBe('CLEAR');
        expect(normalizeTlp(undefined)).toBe('CLEAR');
        expect(tlpClass('AMBER+STRICT')).toBe('tlp tlp-amber-strict');
    });
});

describe('names and counts', () => {
    it('shows full names, then nicknames, then usernames', () => {
        expect(displayName(user({first_name: 'Ada', last_name: 'L'}))).toBe('Ada L');
        expect(displayName(user({nickname: 'ace'}))).toBe('ace');
        expect(displayName(user({username: 'zed'}))).toBe('zed');
        expect(displayName(undefined)).toBe('Someone');
    });

    it('names direct messages after the other person', () => {
        const dm = {id: 'c', type: 'D', name: 'aaa__bbb', display_name: ''} as Channel;
        expect(dmPartnerId(dm, 'aaa')).toBe('bbb');
        expect(dmPartnerId(dm, 'bbb')).toBe('aaa');
        expect(channelLabel(dm, {bbb: user({id: 'bbb', first_name: 'Bea'})}, 'aaa')).toBe('Bea');
        expect(channelLabel({type: 'O', display_name: 'Ops', name: 'ops'} as Channel, {}, 'aaa')).toBe('Ops');
    });

    it('counts unread messages from the channel total and the member count', () => {
        expect(unreadCount({total_msg_count: 10} as Channel, {msg_count: 7} as never)).toBe(3);
        expect(unreadCount({total_msg_count: 5} as Channel, {msg_count: 9} as never)).toBe(0);
        expect(unreadCount(undefined, undefined)).toBe(0);
    });
});

describe('composer helpers', () => {
    it('finds the @mention being typed', () => {
        expect(mentionQuery('hi @bo', 6)).toEqual({start: 3, prefix: 'bo'});
        expect(mentionQuery('@', 1)).toEqual({start: 0, prefix: ''});
        expect(mentionQuery('mail a@b', 8)).toBeNull();
        expect(mentionQuery('hi @bob there', 13)).toBeNull();
    });

    it('makes URL names', () => {
        expect(slugify('Threat Intel — EU')).toBe('threat-intel-eu');
    });

    it('labels days', () => {
        const now = new Date(2024, 5, 10, 12).getTime();
        expect(dayLabel(now - 3600000, now)).toBe('Today');
        expect(dayLabel(now - 86400000, now)).toBe('Yesterday');
    });
});
