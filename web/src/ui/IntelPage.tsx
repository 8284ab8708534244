// The analyst page: the review queue (candidates from the channels of teams one analyses)
// and every indicator one can see, with a review pane for the selected one. Keyboard:
// J/K or arrows move, C confirms, R rejects, A rejects and allow-lists, X selects for bulk.
import type {Ref} from 'preact';
import {useEffect, useImperativeHandle, useRef, useState} from 'preact/hooks';
import {forwardRef} from 'preact/compat';
import {typeName} from '../lib/highlight';
import {
    defaultLifetimeDays, FILTER_TYPES, formFor, KILL_CHAIN_PHASES, mergeIndicator, nextCandidate, reviewBody, STATUSES, STATUS_LABEL,
    stricterLabels, strictest, type Indicator, type IndicatorDetail, type ReviewAction, type ReviewForm,
} from '../lib/intel';
import {normalizeTlp, tlpMeaning} from '../lib/tlp';
import {errorText} from '../state/actions';
import {extract, indicatorDetail, isAnalyst, latest, listIndicators, refreshTeamRoles, reviewIndicator, reviewQueue, statusCode} from '../state/intel';
import {intelPath} from '../state/router';
import type {Team} from '../state/types';
import {Icon, TlpBadge} from './common';
import {Facts, IndicatorRow, Sightings, when} from './Intel';
import {CopyButtons, TypeBadge} from './IocMenu';

const PAGE = 100;

type Tab = 'queue' | 'all';

interface PaneHandle {
    id: string;
    decide: (action: ReviewAction, allowlist?: boolean) => Promise<void>;
}

const PAST: Record<ReviewAction, string> = {confirm: 'Confirmed', reject: 'Rejected', revoke: 'Revoked', update: 'Saved'};

function NotAnalyst({team, onBrowse}: {team: Team; onBrowse: () => void}) {
    return (
        <div class="explain" role="note">
            <h2>The review queue is for analysts</h2>
            <p>Indicators posted in {team.display_name}'s channels wait here until an analyst confirms or rejects them; only confirmed ones
                reach members' firewalls and security tools through the feeds. Analysts are team members whom a team admin has given
                the <strong>analyst</strong> role.</p>
            <p>To review indicators, ask an admin of {team.display_name} to make you an analyst. You can still look up every indicator
                in the channels you can read.</p>
            <button type="button" class="btn primary" onClick={onBrowse}>Browse indicators</button>
        </div>
    );
}

/** The selected indicator: its facts, the sightings one can read, and the analyst's form. */
const ReviewPane = forwardRef(({id, onDecided, onBack}: {id: string; onDecided: (i: Indicator, action: ReviewAction) => void; onBack: () => void},
    ref: Ref<PaneHandle>) => {
    const [d, setD] = useState<IndicatorDetail | null>(null);
    const [form, setForm] = useState<ReviewForm | null>(null);
    const [problem, setProblem] = useState('');
    const [busy, setBusy] = useState(false);
    const [said, setSaid] = useState('');
    useEffect(() => {
        let live = true;
        setD(null);
        setProblem('');
        setSaid('');
        indicatorDetail(id).then((x) => {
            if (live) {
                setD(x);
                setForm(formFor(x, strictest([x.tlp_floor, ...x.sightings.map((s) => s.tlp)])));
            }
        }).catch((e) => live && setProblem(statusCode(e) === 404 ? 'This indicator is not in any channel you can read.' : errorText(e)));
        return () => {
            live = false;
        };
    }, [id]);
    const effective = d ? strictest([d.tlp_floor, ...d.sightings.map((s) => s.tlp)]) : 'CLEAR';
    const decide = async (action: ReviewAction, allowlist?: boolean) => {
        if (!d || !form || busy || !d.can_review) {
            return;
        }
        const f = allowlist === undefined ? form : {...form, allowlist};
        const {body, error} = reviewBody(action, d, effective, f);
        if (error) {
            setProblem(error);
            return;
        }
        setBusy(true);
        setProblem('');
        try {
            const updated = await reviewIndicator(d.id, body);
            const next = {...d, ...updated};
            setD(next);
            setForm(formFor(next, strictest([next.tlp_floor, ...next.sightings.map((s) => s.tlp)])));
            setSaid(`${PAST[action]}${body.allowlist ? ' and added to the allow-list' : ''}: ${d.defanged}`);
            onDecided(updated, action);
        } catch (e) {
            setProblem(errorText(e));
        } finally {
            setBusy(false);
        }
    };
    useImperativeHandle(ref, () => ({id, decide}), [id, d, form, busy]);
    if (problem && !d) {
        return <div class="review-pane"><p class="muted pad" role="status">{problem}</p></div>;
    }
    if (!d || !form) {
        return <div class="review-pane"><p class="muted pad" role="status">Loading…</p></div>;
    }
    const set = (patch: Partial<ReviewForm>) => setForm({...form, ...patch});
    return (
        <div class="review-pane" aria-labelledby="review-title">
            <button type="button" class="link back-link narrow-only" onClick={onBack}><Icon name="back" size={14}/> Back to the list</button>
            <header class="review-head">
                <p class="ioc-kind"><TypeBadge type={d.type}/> {typeName(d.type)}</p>
                <h2 id="review-title" class="mono ioc-big" data-ioc-value={d.value}>{d.defanged}</h2>
                <CopyButtons value={d.value} defanged={d.defanged}/>
            </header>
            {said && <p class="notice" aria-hidden="true"><Icon name="check" size={14}/> {said}</p>}
            <Facts d={d}/>
            {d.can_review ? (
                <form class="form review-form" onSubmit={(e) => {
                    e.preventDefault();
                    void decide(d.status === 'candidate' || d.status === 'rejected' || d.status === 'revoked' ? 'confirm' : 'update');
                }}>
                    <div class="row2">
                        <label><span>Confidence <span class="muted small">(0–100)</span></span>
                            <span class="range-row">
                                <input type="range" min={0} max={100} step={5} value={form.confidence} aria-label="Confidence"
                                    onInput={(e) => set({confidence: Number(e.currentTarget.value)})}/>
                                <input type="number" min={0} max={100} value={form.confidence} id="review-confidence" aria-label="Confidence (number)"
                                    onInput={(e) => set({confidence: Math.round(Number(e.currentTarget.value))})}/>
                            </span>
                        </label>
                        <label>Kill-chain phase
                            <select id="review-phase" value={form.kill_chain_phase} onChange={(e) => set({kill_chain_phase: e.currentTarget.value})}>
                                <option value="">Not set</option>
                                {KILL_CHAIN_PHASES.map((p) => <option key={p} value={p}>{p}</option>)}
                            </select>
                        </label>
                    </div>
                    <label><span>Tags <span class="muted small">(comma-separated)</span></span>
                        <input id="review-tags" value={form.tags} placeholder="ransomware, lockbit" onInput={(e) => set({tags: e.currentTarget.value})}/>
                    </label>
                    <div class="row2">
                        <label>Share as
                            <select id="review-tlp" value={form.tlp} aria-describedby="review-tlp-help" onChange={(e) => set({tlp: e.currentTarget.value})}>
                                {stricterLabels(effective).map((t) => <option key={t} value={t}>TLP:{t}{t === effective ? ' (from its channels)' : ''}</option>)}
                            </select>
                            <span class="help" id="review-tlp-help"><TlpBadge tlp={form.tlp} compact/> {tlpMeaning(normalizeTlp(form.tlp))}</span>
                        </label>
                        <label>Expires in days
                            <input id="review-expiry" type="number" min={0} max={3650} value={form.expires_in_days}
                                placeholder={d.valid_until ? 'unchanged' : `${defaultLifetimeDays(d.type)} (default)`} aria-describedby="review-expiry-help"
                                onInput={(e) => set({expires_in_days: e.currentTarget.value})}/>
                            <span class="help" id="review-expiry-help">{d.valid_until ? `Now ${when(d.valid_until)}. ` : ''}0 removes the expiry.</span>
                        </label>
                    </div>
                    <label><span>Note for the audit log <span class="muted small">(optional)</span></span>
                        <input id="review-reason" maxLength={1000} value={form.reason} onInput={(e) => set({reason: e.currentTarget.value})}/>
                    </label>
                    {d.status !== 'confirmed' && (
                        <label class="check-row"><input type="checkbox" id="review-allowlist" checked={form.allowlist}
                            onChange={(e) => set({allowlist: e.currentTarget.checked})}/> When rejecting, add the value to the allow-list (never captured again)</label>
                    )}
                    {problem && <p class="form-error" role="alert">{problem}</p>}
                    <div class="review-actions">
                        {d.status !== 'confirmed' && <button type="button" class="btn primary" disabled={busy} onClick={() => void decide('confirm')}
                            aria-keyshortcuts="c"><Icon name="check" size={15}/> Confirm</button>}
                        {d.status !== 'rejected' && d.status !== 'confirmed' && <button type="button" class="btn danger-text" disabled={busy}
                            onClick={() => void decide('reject')} aria-keyshortcuts="r">Reject{form.allowlist ? ' and allow-list' : ''}</button>}
                        {d.status === 'confirmed' && <button type="button" class="btn danger" disabled={busy} onClick={() => void decide('revoke')}>Revoke</button>}
                        <button type="button" class="btn" disabled={busy} onClick={() => void decide('update')}>Save changes</button>
                    </div>
                </form>
            ) : (
                <p class="muted small">You can see this indicator but not review it: reviewing is for analysts of a team in whose channels it was seen.</p>
            )}
            <h3 class="section-title">Sightings you can read</h3>
            <Sightings detail={d}/>
        </div>
    );
});

export function IntelPage({team, selected}: {team: Team; selected?: string}) {
    const analyst = isAnalyst(team.id);
    const [tab, setTab] = useState<Tab>(analyst ? 'queue' : 'all');
    const [list, setList] = useState<Indicator[] | null>(null);
    const [more, setMore] = useState(false);
    const [page, setPage] = useState(0);
    const [forbidden, setForbidden] = useState(false);
    const [error, setError] = useState('');
    const [active, setActive] = useState<string>(selected ?? '');
    const [picked, setPicked] = useState<Set<string>>(new Set());
    const [filters, setFilters] = useState({status: '', type: '', q: ''});
    const [q, setQ] = useState('');
    const [bulk, setBulk] = useState('');
    const [said, setSaid] = useState('');
    const pane = useRef<PaneHandle>(null);
    const listRef = useRef<HTMLUListElement>(null);

    const touched = useRef(false);
    useEffect(() => {
        setActive(selected ?? '');
    }, [selected]);
    useEffect(() => {
        refreshTeamRoles().then(() => {
            if (!touched.current && isAnalyst(team.id)) {
                setTab('queue');
            }
        }).catch(() => undefined);
    }, [team.id]);
    useEffect(() => {
        // A pasted defanged value (45.137.21[.]9) is looked up by its canonical form.
        let live = true;
        const t = setTimeout(() => {
            extract(q.trim()).catch(() => []).then((found) => {
                if (live) {
                    setFilters((f) => ({...f, q: found.length === 1 ? found[0].value : q.trim()}));
                }
            });
        }, 250);
        return () => {
            live = false;
            clearTimeout(t);
        };
    }, [q]);
    useEffect(() => {
        let live = true;
        setError('');
        setForbidden(false);
        if (page === 0) {
            setList(null);
        }
        const load = tab === 'queue' ? reviewQueue(page, PAGE) : listIndicators({...filters, page, per_page: PAGE});
        load.then((l) => {
            if (!live) {
                return;
            }
            setList((cur) => page === 0 || !cur ? l : [...cur, ...l.filter((x) => !cur.some((c) => c.id === x.id))]);
            setMore(l.length === PAGE);
            if (page === 0 && !selected && l.length && !window.matchMedia('(max-width: 900px)').matches) {
                setActive((a) => a || l[0].id);
            }
        }).catch((e) => {
            if (!live) {
                return;
            }
            if (tab === 'queue' && statusCode(e) === 403) {
                setForbidden(true);
                setList([]);
            } else {
                setError(errorText(e));
            }
        });
        return () => {
            live = false;
        };
    }, [tab, filters, page, team.id]);

    const shown = (list ?? []).map(latest);
    const index = shown.findIndex((i) => i.id === active);

    const focusRow = (id: string) => {
        requestAnimationFrame(() => (listRef.current?.querySelector(`[data-indicator-id="${CSS.escape(id)}"]`) as HTMLElement | null)?.focus());
    };
    const onDecided = (updated: Indicator, action: ReviewAction) => {
        setList((cur) => cur ? mergeIndicator(cur, updated) : cur);
        setSaid(`${PAST[action]}: ${updated.defanged}`);
        if (tab === 'queue' && (action === 'confirm' || action === 'reject')) {
            const after = mergeIndicator(shown, updated);
            const at = after.findIndex((i) => i.id === updated.id);
            const next = after[nextCandidate(after, at)];
            if (next && next.id !== updated.id) {
                setActive(next.id);
                focusRow(next.id);
            }
        }
    };
    /** A decision from the keyboard or the bulk bar: through the pane when it shows the row (keeping edits), else direct. */
    const quick = async (id: string, action: ReviewAction, allowlist = false) => {
        if (pane.current?.id === id) {
            await pane.current.decide(action, allowlist);
            return;
        }
        const updated = await reviewIndicator(id, allowlist ? {action, allowlist} : {action});
        onDecided(updated, action);
    };
    const runBulk = async (action: 'confirm' | 'reject') => {
        const ids = [...picked];
        let ok = 0;
        const failed: string[] = [];
        for (const id of ids) {
            setBulk(`${action === 'confirm' ? 'Confirming' : 'Rejecting'} ${ok + failed.length + 1} of ${ids.length}…`);
            try {
                const updated = await reviewIndicator(id, {action});
                setList((cur) => cur ? mergeIndicator(cur, updated) : cur);
                ok++;
            } catch (e) {
                failed.push(`${shown.find((i) => i.id === id)?.defanged ?? id}: ${errorText(e)}`);
            }
        }
        setPicked(new Set());
        setBulk(`${action === 'confirm' ? 'Confirmed' : 'Rejected'} ${ok} of ${ids.length}.${failed.length ? ` Failed: ${failed.join('; ')}` : ''}`);
    };

    const onKey = (e: KeyboardEvent) => {
        const t = e.target as HTMLElement;
        if (e.ctrlKey || e.metaKey || e.altKey || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox') || !shown.length) {
            return;
        }
        const at = index < 0 ? 0 : index;
        const move = (to: number) => {
            const i = shown[Math.max(0, Math.min(shown.length - 1, to))];
            setActive(i.id);
            focusRow(i.id);
        };
        const key = e.key.toLowerCase();
        if (e.key === 'ArrowDown' || key === 'j') {
            e.preventDefault();
            move(index < 0 ? 0 : at + 1);
        } else if (e.key === 'ArrowUp' || key === 'k') {
            e.preventDefault();
            move(at - 1);
        } else if (e.key === 'Home' || e.key === 'End') {
            e.preventDefault();
            move(e.key === 'Home' ? 0 : shown.length - 1);
        } else if (index >= 0 && (key === 'c' || key === 'r' || key === 'a')) {
            e.preventDefault();
            const i = shown[index];
            if (key === 'c' && i.status !== 'confirmed') {
                quick(i.id, 'confirm').catch((err) => setError(errorText(err)));
            } else if ((key === 'r' || key === 'a') && i.status !== 'confirmed' && i.status !== 'rejected') {
                quick(i.id, 'reject', key === 'a').catch((err) => setError(errorText(err)));
            }
        } else if (index >= 0 && key === 'x' && tab === 'queue') {
            e.preventDefault();
            toggle(shown[index].id);
        }
    };
    const toggle = (id: string) => setPicked((cur) => {
        const next = new Set(cur);
        if (next.has(id)) {
            next.delete(id);
        } else {
            next.add(id);
        }
        return next;
    });
    const switchTab = (t: Tab) => {
        touched.current = true;
        setTab(t);
        setPage(0);
        setPicked(new Set());
        setBulk('');
        setActive('');
    };
    const candidates = shown.filter((i) => i.status === 'candidate').length;

    return (
        <section class={`page intel-page${active ? ' has-selection' : ''}`} aria-labelledby="page-title">
            <header class="page-head">
                <h1 id="page-title"><Icon name="shield"/> Indicators</h1>
                <div class="tabs" role="tablist" aria-label="Indicator lists">
                    <button type="button" role="tab" id="tab-queue" aria-selected={tab === 'queue'} aria-controls="intel-list" class="tab"
                        onClick={() => switchTab('queue')}>Review queue{tab === 'queue' && list && !forbidden ? ` (${candidates})` : ''}</button>
                    <button type="button" role="tab" id="tab-all" aria-selected={tab === 'all'} aria-controls="intel-list" class="tab"
                        onClick={() => switchTab('all')}>All indicators</button>
                </div>
            </header>
            {forbidden ? <div class="page-body page-scroll" id="intel-list" role="tabpanel" aria-labelledby="tab-queue"><NotAnalyst team={team} onBrowse={() => switchTab('all')}/></div> :
                <div class="page-body split">
                    <div class="list-pane" id="intel-list" role="tabpanel" aria-labelledby={tab === 'queue' ? 'tab-queue' : 'tab-all'}>
                        {tab === 'all' && (
                            <div class="filters" role="search" aria-label="Filter indicators">
                                <input type="search" aria-label="Find an indicator" placeholder="Find a value: 45.137.21[.]9, evil[.]com…" value={q}
                                    onInput={(e) => {
                                        setQ(e.currentTarget.value);
                                        setPage(0);
                                    }}/>
                                <select aria-label="Status" value={filters.status} onChange={(e) => {
                                    setFilters({...filters, status: e.currentTarget.value});
                                    setPage(0);
                                }}>
                                    <option value="">Any status</option>
                                    {STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABEL[s]}</option>)}
                                </select>
                                <select aria-label="Type" value={filters.type} onChange={(e) => {
                                    setFilters({...filters, type: e.currentTarget.value});
                                    setPage(0);
                                }}>
                                    <option value="">Any type</option>
                                    {FILTER_TYPES.map((t) => <option key={t} value={t}>{typeName(t)}</option>)}
                                </select>
                            </div>
                        )}
                        <p class="sr-only" role="status">{said}</p>
                        {tab === 'queue' && !forbidden && (
                            <div class="bulk-bar">
                                <p class="muted small keys-help">
                                    <kbd>J</kbd>/<kbd>K</kbd> move · <kbd>C</kbd> confirm · <kbd>R</kbd> reject · <kbd>A</kbd> reject and allow-list · <kbd>X</kbd> select
                                </p>
                                {candidates > 0 && (
                                    <label class="check-row small"><input type="checkbox" checked={picked.size > 0 && picked.size === candidates}
                                        onChange={(e) => setPicked(e.currentTarget.checked ? new Set(shown.filter((i) => i.status === 'candidate').map((i) => i.id)) : new Set())}/>
                                        Select all candidates</label>
                                )}
                                {picked.size > 0 && (
                                    <div class="row-actions" role="group" aria-label="Selected indicators">
                                        <span class="small">{picked.size} selected</span>
                                        <button type="button" class="btn primary small-btn" onClick={() => void runBulk('confirm')}>Confirm selected</button>
                                        <button type="button" class="btn danger-text small-btn" onClick={() => void runBulk('reject')}>Reject selected</button>
                                        <button type="button" class="btn ghost small-btn" onClick={() => setPicked(new Set())}>Clear</button>
                                    </div>
                                )}
                                {bulk && <p class="small" role="status">{bulk}</p>}
                            </div>
                        )}
                        {error ? <p class="form-error pad" role="alert">{error}</p> :
                                !list ? <p class="muted pad" role="status">Loading…</p> :
                                    shown.length === 0 ? <p class="muted pad">{tab === 'queue' ?
                                        'Nothing to review: no candidates are waiting in the channels of the teams you analyse.' :
                                        'No indicators match. Only indicators seen in channels you can read are listed.'}</p> : (
                                        <ul class="ioc-list page-list" ref={listRef} aria-label={tab === 'queue' ? 'Review queue' : 'Indicators'}
                                            aria-keyshortcuts="j k c r a x" onKeyDown={onKey}>
                                            {shown.map((i) => (
                                                <li key={i.id} class={tab === 'queue' ? 'with-check' : ''}>
                                                    {tab === 'queue' && <input type="checkbox" checked={picked.has(i.id)} aria-label={`Select ${i.defanged}`}
                                                        onChange={() => toggle(i.id)}/>}
                                                    <IndicatorRow ind={i} active={i.id === active} onOpen={() => {
                                                        setActive(i.id);
                                                        history.replaceState(null, '', intelPath(team.name, i.id));
                                                    }}/>
                                                </li>
                                            ))}
                                        </ul>
                                    )}
                        {more && !forbidden && <button type="button" class="btn load-more" onClick={() => setPage(page + 1)}>Load more</button>}
                    </div>
                    <div class="detail-pane">
                        {active ? <ReviewPane key={active} id={active} ref={pane} onDecided={onDecided} onBack={() => {
                            const was = active;
                            setActive('');
                            focusRow(was);
                        }}/> :
                            <p class="muted pad empty-pane">Select an indicator to see where it was posted and to review it.</p>}
                    </div>
                </div>}
        </section>
    );
}
