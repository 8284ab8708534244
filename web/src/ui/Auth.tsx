// Sign-in and sign-up pages.
import {useEffect, useState} from 'preact/hooks';
import {errorText, login, signup} from '../state/actions';
import {navigate} from '../state/router';

function AuthFrame({title, children}: {title: string; children: preact.ComponentChildren}) {
    return (
        <main class="auth">
            <div class="auth-card">
                <div class="auth-brand"><span class="brand-mark" aria-hidden="true">C</span><span>Conclave</span></div>
                <h1>{title}</h1>
                {children}
            </div>
            <p class="auth-foot">Trusted sharing for security communities. Every channel carries a TLP label.</p>
        </main>
    );
}

export function Login() {
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    useEffect(() => {
        // Lets the browser suite measure when the first page became usable.
        performance.mark('conclave:login-ready');
    }, []);
    const submit = async (e: Event) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await login(loginId.trim(), password);
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <AuthFrame title="Sign in">
            <form onSubmit={submit} class="form" aria-describedby={error ? 'login-error' : undefined}>
                <label>Username or email
                    <input id="login-id" name="username" autoComplete="username" required value={loginId}
                        onInput={(e) => setLoginId(e.currentTarget.value)} autoFocus/>
                </label>
                <label>Password
                    <input id="login-password" name="password" type="password" autoComplete="current-password" required value={password}
                        onInput={(e) => setPassword(e.currentTarget.value)}/>
                </label>
                {error && <p id="login-error" class="form-error" role="alert">{error}</p>}
                <button type="submit" class="btn primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
            </form>
            <p class="auth-switch">New here? <a href="/signup" onClick={(e) => {
                e.preventDefault();
                navigate('/signup');
            }}>Create an account</a></p>
        </AuthFrame>
    );
}

export function Signup() {
    const [f, setF] = useState({email: '', username: '', first_name: '', last_name: '', organization: '', password: ''});
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const field = (k: keyof typeof f) => ({value: f[k], onInput: (e: Event) => setF({...f, [k]: (e.currentTarget as HTMLInputElement).value})});
    const submit = async (e: Event) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await signup({...f, username: f.username.trim().toLowerCase(), email: f.email.trim()});
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <AuthFrame title="Create your account">
            <form onSubmit={submit} class="form">
                <div class="row2">
                    <label>First name<input id="signup-first" autoComplete="given-name" {...field('first_name')}/></label>
                    <label>Last name<input id="signup-last" autoComplete="family-name" {...field('last_name')}/></label>
                </div>
                <label>Organization
                    <input id="signup-org" autoComplete="organization" required {...field('organization')} placeholder="e.g. Example Bank CSIRT"/>
                </label>
                <label>Email<input id="signup-email" type="email" autoComplete="email" required {...field('email')}/></label>
                <label>Username
                    <input id="signup-username" autoComplete="username" required pattern="[a-zA-Z][a-zA-Z0-9._\-]{2,21}"
                        title="3 to 22 characters: letters, digits, '.', '_' or '-', starting with a letter" {...field('username')}/>
                </label>
                <label>Password
                    <input id="signup-password" type="password" autoComplete="new-password" required minLength={8} {...field('password')}/>
                </label>
                {error && <p class="form-error" role="alert">{error}</p>}
                <button type="submit" class="btn primary" disabled={busy}>{busy ? 'Creating account…' : 'Create account'}</button>
            </form>
            <p class="auth-switch">Already have an account? <a href="/login" onClick={(e) => {
                e.preventDefault();
                navigate('/login');
            }}>Sign in</a></p>
        </AuthFrame>
    );
}
