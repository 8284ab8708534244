// The top of the tree: picks a page for the route once the session is known.
import {useEffect} from 'preact/hooks';
import {navigate, route, SHELL_ROUTES} from '../state/router';
import {boot, teams} from '../state/store';
import {Login, Signup} from './Auth';
import {SelectTeam} from './SelectTeam';
import {Shell} from './Shell';

function Loading() {
    return <div class="splash" role="status" aria-live="polite"><div class="brand-mark" aria-hidden="true">C</div><p>Loading Conclave…</p></div>;
}

export function App() {
    const r = route.value;
    const state = boot.value;

    useEffect(() => {
        if (state === 'anon' && r.kind !== 'login' && r.kind !== 'signup') {
            navigate('/login', true);
        }
        if (state === 'ready' && (r.kind === 'login' || r.kind === 'signup' || r.kind === 'root' || r.kind === 'not_found')) {
            const last = localStorage.getItem('conclave.lastTeam');
            const team = teams.value.find((t) => t.name === last) ?? teams.value[0];
            navigate(team ? `/${team.name}/channels/${localStorage.getItem(`conclave.lastChannel.${team.name}`) || 'town-square'}` : '/select_team', true);
        }
    }, [state, r]);

    if (state === 'loading') {
        return <Loading/>;
    }
    if (state === 'anon') {
        return r.kind === 'signup' ? <Signup/> : <Login/>;
    }
    if (r.kind === 'select_team' || teams.value.length === 0) {
        return <SelectTeam/>;
    }
    if (SHELL_ROUTES.includes(r.kind)) {
        return <Shell/>;
    }
    return <Loading/>;
}
