// Intel over REST: indicators, the review queue, decisions, feed keys and collections.
// Client4 has no intel methods, so these go through its own fetch (same session, CSRF
// header and error shape as every other call).
import {signal} from '@preact/signals';
import type {Finding} from '../lib/highlight';
import {makeExtractor, mergeIndicator, type Indicator, type IndicatorDetail} from '../lib/intel';
import {client, ensureUsers} from './actions';
import {channels, myTeamMembers, putChannelIfMissing} from './store';
import type {Channel, Post, TeamMembership} from './types';

type Fetch = <T>(url: string, options: {method: string; body?: string}) => Promise<T>;
const doFetch: Fetch = (url, options) => (client as unknown as {doFetch: Fetch}).doFetch(url, options);
const base = () => `${client.getBaseRoute()}/intel`;

const get = <T>(path: string) => doFetch<T>(path, {method: 'get'});
const post = <T>(path: string, body: unknown) => doFetch<T>(path, {method: 'post', body: JSON.stringify(body)});

/** Reviewed indicators by id: every list shows the latest status the moment a decision lands. */
export const reviewed = signal<Record<string, Indicator>>({});

/** The latest known state of an indicator in a list. */
export function latest<T extends Indicator>(i: T): T {
    const r = reviewed.value[i.id];
    return r && r.update_at >= i.update_at ? mergeIndicator([i], r)[0] : i;
}

export function statusCode(e: unknown): number {
    return Number((e as {status_code?: number})?.status_code) || 0;
}

function query(params: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== '') {
            q.set(k, String(v));
        }
    }
    const s = q.toString();
    return s ? `?${s}` : '';
}

export async function listIndicators(params: {status?: string; type?: string; q?: string; channel_id?: string; team_id?: string; page?: number; per_page?: number}): Promise<Indicator[]> {
    return get<Indicator[]>(`${base()}/indicators${query(params)}`);
}

export async function reviewQueue(page = 0, perPage = 100): Promise<Indicator[]> {
    return get<Indicator[]>(`${base()}/queue${query({page, per_page: perPage})}`);
}

export async function indicatorDetail(id: string): Promise<IndicatorDetail> {
    const d = await get<IndicatorDetail>(`${base()}/indicators/${encodeURIComponent(id)}`);
    await Promise.all([
        ensureUsers([...d.sightings.map((s) => s.user_id), d.reviewed_by].filter(Boolean)),
        ensureChannels(d.sightings.map((s) => s.channel_id)),
    ]);
    return d;
}

/** Finds the indicator with this exact value (and type), if the caller can see one. */
export async function findIndicator(type: string, value: string): Promise<Indicator | null> {
    const list = await listIndicators({q: value, type, per_page: 50});
    return list.find((i) => i.value === value && i.type === type) ?? list.find((i) => i.value.toLowerCase() === value.toLowerCase()) ?? null;
}

export async function indicatorPosts(id: string): Promise<Post[]> {
    const list = await get<Post[]>(`${base()}/indicators/${encodeURIComponent(id)}/posts`);
    await Promise.all([ensureUsers(list.map((p) => p.user_id)), ensureChannels(list.map((p) => p.channel_id))]);
    return list.filter((p) => !p.delete_at).sort((a, b) => b.create_at - a.create_at);
}

export async function reviewIndicator(id: string, body: Record<string, unknown>): Promise<Indicator> {
    const updated = await post<Indicator>(`${base()}/indicators/${encodeURIComponent(id)}/review`, body);
    reviewed.value = {...reviewed.value, [updated.id]: updated};
    return updated;
}

/** Channels named by sightings that this client has not loaded (public ones the caller is not in). */
async function ensureChannels(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => id && !channels.value[id]);
    await Promise.all(missing.map(async (id) => {
        try {
            putChannelIfMissing(await client.getChannel(id) as Channel);
        } catch {
            // Shown without a name.
        }
    }));
}

/** Reloads the caller's team roles (a team admin may have made them an analyst meanwhile). */
export async function refreshTeamRoles(): Promise<void> {
    const list = await client.getMyTeamMembers();
    const map: Record<string, TeamMembership> = {};
    for (const m of list) {
        map[m.team_id] = m;
    }
    myTeamMembers.value = map;
}

/** Whether the caller is an analyst of the team (from their team membership's roles). */
export function isAnalyst(teamId: string): boolean {
    return (myTeamMembers.value[teamId]?.roles || '').split(' ').includes('team_analyst');
}

// ---- highlighting ------------------------------------------------------------------------

export const extract = makeExtractor((text) => post<Finding[]>(`${base()}/extract`, {text}));

// ---- feeds (system admins) -----------------------------------------------------------------

export interface FeedKey {
    id: string;
    name: string;
    tlp_ceiling: string;
    collections: string[];
    can_write: boolean;
    create_at: number;
    revoked_at: number;
    last_used_at: number;
    key?: string;
}

export interface Collection {
    id: string;
    alias: string;
    title: string;
    tlp_ceiling: string;
    tags: string[];
    can_write?: boolean;
}

export const feedKeys = () => get<FeedKey[]>(`${base()}/feed_keys`);
export const createFeedKey = (b: {name: string; tlp_ceiling: string; collections: string[]; can_write: boolean}) => post<FeedKey>(`${base()}/feed_keys`, b);
export const revokeFeedKey = (name: string) => doFetch<unknown>(`${base()}/feed_keys/${encodeURIComponent(name)}`, {method: 'delete'});
export const collections = () => get<Collection[]>(`${base()}/collections`);
export const createCollection = (b: {alias: string; title: string; tlp_ceiling: string; tags: string[]}) => post<Collection>(`${base()}/collections`, b);
