// A small path router. Pages are looked up by route kind in ui/App.tsx, so a new page
// (an analyst view, an admin console) is one entry here and one there.
import {signal} from '@preact/signals';

export type Route =
    | {kind: 'login'}
    | {kind: 'signup'}
    | {kind: 'root'}
    | {kind: 'select_team'}
    | {kind: 'channel'; team: string; channel: string; postId?: string}
    | {kind: 'permalink'; team: string; postId: string}
    | {kind: 'intel'; team: string; id?: string}
    | {kind: 'intel-admin'; team: string}
    | {kind: 'not_found'};

/** Routes that show the signed-in layout (team rail, sidebar) around their page. */
export const SHELL_ROUTES = ['channel', 'permalink', 'intel', 'intel-admin'];

export function parseRoute(path: string, search = ''): Route {
    const parts = path.split('/').filter(Boolean).map((p) => {
        try {
            return decodeURIComponent(p);
        } catch {
            return p;
        }
    });
    if (parts.length === 0) {
        return {kind: 'root'};
    }
    if (parts.length === 1 && parts[0] === 'login') {
        return {kind: 'login'};
    }
    if (parts.length === 1 && parts[0] === 'signup') {
        return {kind: 'signup'};
    }
    if (parts.length === 1 && parts[0] === 'select_team') {
        return {kind: 'select_team'};
    }
    if (parts.length === 3 && parts[1] === 'channels') {
        const postId = new URLSearchParams(search).get('post') || undefined;
        return {kind: 'channel', team: parts[0], channel: parts[2], postId};
    }
    if (parts.length === 2 && parts[1] === 'intel') {
        const id = new URLSearchParams(search).get('id') || undefined;
        return {kind: 'intel', team: parts[0], id};
    }
    if (parts.length === 3 && parts[1] === 'intel' && parts[2] === 'feeds') {
        return {kind: 'intel-admin', team: parts[0]};
    }
    if (parts.length === 3 && parts[1] === 'pl') {
        return {kind: 'permalink', team: parts[0], postId: parts[2]};
    }
    if (parts.length === 1) {
        return {kind: 'channel', team: parts[0], channel: ''};
    }
    return {kind: 'not_found'};
}

export const route = signal<Route>(parseRoute(location.pathname, location.search));

export function navigate(path: string, replace = false): void {
    if (path === location.pathname + location.search) {
        route.value = parseRoute(location.pathname, location.search);
        return;
    }
    if (replace) {
        history.replaceState(null, '', path);
    } else {
        history.pushState(null, '', path);
    }
    route.value = parseRoute(location.pathname, location.search);
}

window.addEventListener('popstate', () => {
    route.value = parseRoute(location.pathname, location.search);
});

export const channelPath = (team: string, channel: string) => `/${encodeURIComponent(team)}/channels/${encodeURIComponent(channel)}`;
export const intelPath = (team: string, id?: string) => `/${encodeURIComponent(team)}/intel${id ? `?id=${encodeURIComponent(id)}` : ''}`;
export const feedsPath = (team: string) => `/${encodeURIComponent(team)}/intel/feeds`;
