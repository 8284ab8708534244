// Choosing, joining or creating a team; the first account's welcome.
import {useEffect, useState} from 'preact/hooks';
import {createTeam, errorText, joinTeam, joinableTeams, logout} from '../state/actions';
import {channelPath, navigate} from '../state/router';
import {firstRunHint, me, teams} from '../state/store';
import type {Team} from '../state/types';

export function slugify(s: string): string {
    return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

export function CreateTeamForm({onDone}: {onDone: (t: Team) => void}) {
    const [display, setDisplay] = useState('');
    const [name, setName] = useState('');
    const [touched, setTouched] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const slug = touched ? name : slugify(display);
    const submit = async (e: Event) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            onDone(await createTeam(display.trim(), slug));
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <form class="form" onSubmit={submit}>
            <label>Team name<input id="team-display-name" required maxLength={64} value={display} onInput={(e) => setDisplay(e.currentTarget.value)}/></label>
            <label>Web address
                <span class="prefixed"><span aria-hidden="true">{location.host}/</span>
                    <input id="team-name" required pattern="[a-z0-9][a-z0-9\-]{1,62}" value={slug}
                        onInput={(e) => {
                            setTouched(true);
                            setName(e.currentTarget.value);
                        }}/>
                </span>
            </label>
            {error && <p class="form-error" role="alert">{error}</p>}
            <button type="submit" class="btn primary" disabled={busy || !display.trim()}>Create team</button>
        </form>
    );
}

export function SelectTeam() {
    const [open, setOpen] = useState<Team[]>([]);
    const [error, setError] = useState('');
    useEffect(() => {
        joinableTeams().then(setOpen).catch(() => setOpen([]));
    }, []);
    const isAdmin = (me.value?.roles || '').includes('system_admin');
    const go = (t: Team) => {
        firstRunHint.value = false;
        navigate(channelPath(t.name, 'town-square'));
    };
    return (
        <main class="auth">
            <div class="auth-card wide">
                <div class="auth-brand"><span class="brand-mark" aria-hidden="true">C</span><span>Conclave</span></div>
                {(firstRunHint.value || (isAdmin && teams.value.length === 0)) && (
                    <div class="hint" role="note">
                        <strong>Welcome, administrator.</strong> You are the first account on this server, so you manage it.
                        Create your community's first team below; members who sign up can then join it, and you can
                        label each channel with the TLP level that governs what is shared there.
                    </div>
                )}
                {teams.value.length > 0 && (
                    <section aria-labelledby="my-teams">
                        <h2 id="my-teams">Your teams</h2>
                        <ul class="team-list">{teams.value.map((t) => (
                            <li key={t.id}><button type="button" class="btn" onClick={() => go(t)}>{t.display_name}</button></li>
                        ))}</ul>
                    </section>
                )}
                {open.length > 0 && (
                    <section aria-labelledby="open-teams">
                        <h2 id="open-teams">Teams you can join</h2>
                        <ul class="team-list">{open.map((t) => (
                            <li key={t.id}>
                                <span>{t.display_name}</span>
                                <button type="button" class="btn" onClick={async () => {
                                    try {
                                        await joinTeam(t);
                                        go(t);
                                    } catch (err) {
                                        setError(errorText(err));
                                    }
                                }}>Join</button>
                            </li>
                        ))}</ul>
                    </section>
                )}
                {error && <p class="form-error" role="alert">{error}</p>}
                <section aria-labelledby="new-team">
                    <h2 id="new-team">Create a team</h2>
                    <CreateTeamForm onDone={go}/>
                </section>
                <p class="auth-switch"><button type="button" class="link" onClick={() => void logout()}>Sign out</button></p>
            </div>
        </main>
    );
}
