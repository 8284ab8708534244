// Feeds and keys (system admins): the credentials members' firewalls, SIEMs and TIPs use for
// TAXII 2.1 and the blocklists, and the TAXII collections (audiences by TLP ceiling).
import {useEffect, useRef, useState} from 'preact/hooks';
import {TLPS, normalizeTlp, tlpMeaning} from '../lib/tlp';
import {errorText} from '../state/actions';
import {collections, createCollection, createFeedKey, feedKeys, revokeFeedKey, statusCode, type Collection, type FeedKey} from '../state/intel';
import {me} from '../state/store';
import {Icon, TlpBadge} from './common';
import {when} from './Intel';
import {copyText} from './IocMenu';

function Secret({k, onDone}: {k: FeedKey; onDone: () => void}) {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        (ref.current?.querySelector('input') as HTMLInputElement | null)?.select();
        ref.current?.focus();
    }, []);
    return (
        <div class="secret-box" role="alert" tabIndex={-1} ref={ref} aria-labelledby="secret-title">
            <h3 id="secret-title"><Icon name="key" size={16}/> Key “{k.name}” created</h3>
            <p><strong>Copy it now: it is shown only this once.</strong> Conclave stores only a hash, so it cannot show the key again; if it is
                lost, revoke it and create another. Anyone holding it can read everything up to <TlpBadge tlp={k.tlp_ceiling} compact/>.</p>
            <div class="secret-row">
                <input readOnly id="new-key-secret" aria-label="New feed key" value={k.key} class="mono" onFocus={(e) => e.currentTarget.select()}/>
                <button type="button" class="btn primary" onClick={() => void copyText(k.key ?? '', 'the key')}><Icon name="copy" size={15}/> Copy key</button>
            </div>
            <button type="button" class="btn" onClick={onDone}>I have stored it</button>
        </div>
    );
}

function NewKey({cols, onCreated}: {cols: Collection[]; onCreated: (k: FeedKey) => void}) {
    const [f, setF] = useState({name: '', tlp_ceiling: 'GREEN', collections: [] as string[], can_write: false});
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    return (
        <form class="form admin-form" aria-labelledby="new-key-title" onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError('');
            try {
                onCreated(await createFeedKey(f));
                setF({name: '', tlp_ceiling: 'GREEN', collections: [], can_write: false});
            } catch (err) {
                setError(errorText(err));
            } finally {
                setBusy(false);
            }
        }}>
            <h3 id="new-key-title">Create a key</h3>
            <div class="row2">
                <label>Name<input id="key-name" required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" value={f.name} placeholder="bravo-siem"
                    onInput={(e) => setF({...f, name: e.currentTarget.value})}/></label>
                <label>TLP ceiling
                    <select id="key-ceiling" value={f.tlp_ceiling} aria-describedby="key-ceiling-help" onChange={(e) => setF({...f, tlp_ceiling: e.currentTarget.value})}>
                        {TLPS.filter((t) => t !== 'RED').map((t) => <option key={t} value={t}>TLP:{t}</option>)}
                    </select>
                </label>
            </div>
            <p class="help" id="key-ceiling-help"><TlpBadge tlp={f.tlp_ceiling} compact/> The key reads indicators up to this label. {tlpMeaning(normalizeTlp(f.tlp_ceiling))} TLP:RED never leaves the server.</p>
            <fieldset class="radio-row">
                <legend>Collections <span class="muted small">(none: every collection within the ceiling)</span></legend>
                <div class="check-grid">
                    {cols.map((c) => (
                        <label key={c.alias}><input type="checkbox" checked={f.collections.includes(c.alias)} onChange={(e) => setF({...f,
                            collections: e.currentTarget.checked ? [...f.collections, c.alias] : f.collections.filter((x) => x !== c.alias)})}/>
                        <span class="mono">{c.alias}</span></label>
                    ))}
                </div>
            </fieldset>
            <label class="check-row"><input type="checkbox" checked={f.can_write} onChange={(e) => setF({...f, can_write: e.currentTarget.checked})}/>
                May add objects to writable collections (member contributions)</label>
            {error && <p class="form-error" role="alert">{error}</p>}
            <div><button type="submit" class="btn primary" disabled={busy || !f.name.trim()}>Create key</button></div>
        </form>
    );
}

function Keys({keys, onRevoked}: {keys: FeedKey[]; onRevoked: () => void}) {
    const [confirming, setConfirming] = useState('');
    const [error, setError] = useState('');
    if (keys.length === 0) {
        return <p class="muted">No keys yet. Create one for each consumer (a firewall, a SIEM), so each can be revoked on its own.</p>;
    }
    return (
        <>
            {error && <p class="form-error" role="alert">{error}</p>}
            <div class="table-wrap">
                <table class="admin-table">
                    <thead><tr><th scope="col">Name</th><th scope="col">Ceiling</th><th scope="col">Collections</th><th scope="col">Created</th>
                        <th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
                    <tbody>
                        {keys.map((k) => (
                            <tr key={k.id} class={k.revoked_at ? 'revoked' : ''} data-key-name={k.name}>
                                <td><span class="mono">{k.name}</span>{k.can_write && <span class="tag">write</span>}</td>
                                <td><TlpBadge tlp={k.tlp_ceiling} compact/></td>
                                <td>{k.collections.length ? k.collections.map((c) => <span key={c} class="tag mono">{c}</span>) : <span class="muted">all within ceiling</span>}</td>
                                <td>{when(k.create_at)}</td>
                                <td>{k.last_used_at ? when(k.last_used_at) : <span class="muted">never</span>}</td>
                                <td class="actions">
                                    {k.revoked_at ? <span class="status-chip status-revoked">Revoked {when(k.revoked_at)}</span> :
                                        confirming === k.name ? (
                                            <span class="row-actions">
                                                <button type="button" class="btn danger small-btn" onClick={async () => {
                                                    try {
                                                        await revokeFeedKey(k.name);
                                                        setConfirming('');
                                                        onRevoked();
                                                    } catch (e) {
                                                        setError(errorText(e));
                                                    }
                                                }}>Revoke now</button>
                                                <button type="button" class="btn small-btn" onClick={() => setConfirming('')}>Cancel</button>
                                            </span>
                                        ) : <button type="button" class="btn danger-text small-btn" aria-label={`Revoke ${k.name}`} onClick={() => setConfirming(k.name)}>Revoke</button>}
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            </div>
        </>
    );
}

function NewCollection({cols, onCreated}: {cols: Collection[]; onCreated: () => void}) {
    const [f, setF] = useState({alias: '', title: '', tlp_ceiling: 'GREEN', tags: ''});
    const [error, setError] = useState('');
    const taken = cols.some((c) => c.alias === f.alias.trim());
    return (
        <form class="form admin-form" aria-labelledby="new-col-title" onSubmit={async (e) => {
            e.preventDefault();
            setError('');
            try {
                await createCollection({alias: f.alias.trim(), title: f.title.trim(), tlp_ceiling: f.tlp_ceiling,
                    tags: f.tags.split(',').map((t) => t.trim()).filter(Boolean)});
                setF({alias: '', title: '', tlp_ceiling: 'GREEN', tags: ''});
                onCreated();
            } catch (err) {
                setError(errorText(err));
            }
        }}>
            <h3 id="new-col-title">Add a collection</h3>
            <div class="row2">
                <label>Alias<input id="col-alias" required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" value={f.alias} placeholder="energy-sector"
                    aria-invalid={taken} onInput={(e) => setF({...f, alias: e.currentTarget.value})}/></label>
                <label>Title<input id="col-title" maxLength={200} value={f.title} onInput={(e) => setF({...f, title: e.currentTarget.value})}/></label>
            </div>
            <div class="row2">
                <label>TLP ceiling
                    <select id="col-ceiling" value={f.tlp_ceiling} onChange={(e) => setF({...f, tlp_ceiling: e.currentTarget.value})}>
                        {TLPS.filter((t) => t !== 'RED').map((t) => <option key={t} value={t}>TLP:{t}</option>)}
                    </select>
                </label>
                <label>Only indicators tagged <span class="muted small">(comma-separated, optional)</span>
                    <input id="col-tags" value={f.tags} onInput={(e) => setF({...f, tags: e.currentTarget.value})}/></label>
            </div>
            {taken && <p class="form-error" role="alert">A collection with this alias exists.</p>}
            {error && <p class="form-error" role="alert">{error}</p>}
            <div><button type="submit" class="btn" disabled={!f.alias.trim() || taken}>Add collection</button></div>
        </form>
    );
}

export function IntelAdmin() {
    const admin = (me.value?.roles || '').includes('system_admin');
    const [keys, setKeys] = useState<FeedKey[] | null>(null);
    const [cols, setCols] = useState<Collection[] | null>(null);
    const [fresh, setFresh] = useState<FeedKey | null>(null);
    const [error, setError] = useState('');
    const [epoch, setEpoch] = useState(0);
    useEffect(() => {
        if (!admin) {
            return;
        }
        Promise.all([feedKeys(), collections()]).then(([k, c]) => {
            setKeys(k.sort((a, b) => (a.revoked_at ? 1 : 0) - (b.revoked_at ? 1 : 0) || b.create_at - a.create_at));
            setCols(c);
        }).catch((e) => setError(statusCode(e) === 403 ? 'Only system administrators manage feeds.' : errorText(e)));
    }, [epoch, admin]);
    const origin = location.origin;
    return (
        <section class="page admin-page" aria-labelledby="page-title">
            <header class="page-head"><h1 id="page-title"><Icon name="key"/> Feeds and keys</h1></header>
            <div class="page-scroll">
                {!admin ? (
                    <div class="explain" role="note">
                        <h2>Feeds are managed by system administrators</h2>
                        <p>Confirmed indicators reach members' firewalls, SIEMs and threat-intel platforms through TAXII 2.1 and plain-text
                            blocklists. Each consumer uses a key whose TLP ceiling limits what it can read. Ask a system administrator for a key.</p>
                    </div>
                ) : (
                    <>
                        {error && <p class="form-error" role="alert">{error}</p>}
                        <section aria-labelledby="keys-title" class="admin-section">
                            <h2 id="keys-title">Feed keys</h2>
                            <p class="muted small">Consumers send the key as a Bearer token or as the HTTP Basic password.
                                TAXII: <code>{origin}/taxii2/</code> · Blocklists: <code>{origin}/feeds/ipv4.txt</code>, <code>domains.txt</code>,
                                <code>urls.txt</code>, <code>hashes.txt</code>, <code>indicators.csv</code></p>
                            {fresh && <Secret k={fresh} onDone={() => setFresh(null)}/>}
                            {keys ? <Keys keys={keys} onRevoked={() => setEpoch(epoch + 1)}/> : !error && <p class="muted" role="status">Loading…</p>}
                            {cols && <NewKey cols={cols} onCreated={(k) => {
                                setFresh(k);
                                setEpoch(epoch + 1);
                            }}/>}
                        </section>
                        <section aria-labelledby="cols-title" class="admin-section">
                            <h2 id="cols-title">TAXII collections</h2>
                            {cols && (
                                <div class="table-wrap">
                                    <table class="admin-table">
                                        <thead><tr><th scope="col">Alias</th><th scope="col">Title</th><th scope="col">Ceiling</th><th scope="col">Tags</th><th scope="col">Writable</th></tr></thead>
                                        <tbody>
                                            {cols.map((c) => (
                                                <tr key={c.id}>
                                                    <td class="mono">{c.alias}</td><td>{c.title}</td><td><TlpBadge tlp={c.tlp_ceiling} compact/></td>
                                                    <td>{c.tags.length ? c.tags.map((t) => <span key={t} class="tag">{t}</span>) : <span class="muted">any</span>}</td>
                                                    <td>{c.can_write ? 'yes' : 'no'}</td>
                                                </tr>
                                            ))}
                                        </tbody>
                                    </table>
                                </div>
                            )}
                            {cols && <NewCollection cols={cols} onCreated={() => setEpoch(epoch + 1)}/>}
                        </section>
                    </>
                )}
            </div>
        </section>
    );
}
