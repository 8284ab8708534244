// Right-hand intel panels: the channel's indicators, and one indicator's detail with the
// sightings the reader can see.
import {useEffect, useState} from 'preact/hooks';
import {typeName} from '../lib/highlight';
import {STATUSES, STATUS_LABEL, strictest, type Indicator, type IndicatorDetail} from '../lib/intel';
import {clock, dayLabel, fullDate} from '../lib/time';
import {errorText, jumpToPost} from '../state/actions';
import {findIndicator, indicatorDetail, latest, listIndicators, reviewed, statusCode} from '../state/intel';
import {navigate} from '../state/router';
import {anyChannel, channelLabel, channels, currentTeam, displayName, me, rhs, teams, users, type Rhs} from '../state/store';
import {ChannelIcon, Icon, TlpBadge, UserName} from './common';
import {Confidence, CopyButtons, showIndicator, StatusChip, TypeBadge} from './IocMenu';

export function when(ms: number | undefined): string {
    return ms ? `${dayLabel(ms)} ${clock(ms)}` : '—';
}

const MODE_TEXT: Record<string, string> = {
    'off': 'Capture is off here: indicators posted in this channel are not collected.',
    'review': 'Indicators posted here are collected as candidates and shared once an analyst confirms them.',
    'auto-publish': 'Indicators posted here are shared automatically under the channel\u2019s TLP label.',
};

/** One indicator as a row: type, defanged value, status, confidence and readable figures. */
export function IndicatorRow({ind, onOpen, active = false}: {ind: Indicator; onOpen: () => void; active?: boolean}) {
    const i = latest(ind);
    const figures = `${i.sighting_count ?? 0} ${i.sighting_count === 1 ? 'sighting' : 'sightings'} · ${i.channel_count ?? 0} ${i.channel_count === 1 ? 'channel' : 'channels'}`;
    return (
        <button type="button" class={`ioc-row${active ? ' active' : ''}`} data-indicator-id={i.id} data-status={i.status}
            aria-label={`${typeName(i.type)} ${i.defanged}, ${STATUS_LABEL[i.status] ?? i.status}, confidence ${i.confidence}, ${figures}`}
            onClick={onOpen}>
            <span class="ioc-row-top">
                <TypeBadge type={i.type}/>
                <span class="mono ioc-row-value">{i.defanged}</span>
            </span>
            <span class="ioc-row-meta">
                <StatusChip status={i.status}/>
                <Confidence value={i.confidence}/>
                <span class="muted">{figures}</span>
            </span>
        </button>
    );
}

export function ChannelIndicators({channelId}: {channelId: string}) {
    const c = channels.value[channelId];
    const [status, setStatus] = useState('');
    const [list, setList] = useState<Indicator[] | null>(null);
    const [error, setError] = useState('');
    useEffect(() => {
        let live = true;
        setError('');
        listIndicators({channel_id: channelId, status, per_page: 200})
            .then((l) => live && setList(l))
            .catch((e) => live && setError(errorText(e)));
        return () => {
            live = false;
        };
        // New posts may carry new indicators; decisions change statuses.
    }, [channelId, status, c?.last_post_at, c?.intel_mode, Object.keys(reviewed.value).length]);
    const mode = c?.intel_mode || 'review';
    return (
        <div class="panel-scroll intel-panel">
            <div class="pad intel-mode">
                <p class="small"><TlpBadge tlp={c?.tlp} compact/> {MODE_TEXT[mode] ?? ''}</p>
            </div>
            <div class="filter-row pad" role="group" aria-label="Filter by status">
                {['', ...STATUSES].map((s) => (
                    <button key={s || 'all'} type="button" class={`chip-btn${status === s ? ' on' : ''}`} aria-pressed={status === s}
                        onClick={() => setStatus(s)}>{s ? STATUS_LABEL[s as keyof typeof STATUS_LABEL] : 'All'}</button>
                ))}
            </div>
            {error ? <p class="form-error pad" role="alert">{error}</p> : !list ? <p class="muted pad" role="status">Loading…</p> :
                list.length === 0 ? <p class="muted pad">{status ? `No ${STATUS_LABEL[status as keyof typeof STATUS_LABEL].toLowerCase()} indicators in this channel.` :
                    'No indicators in this channel yet. Addresses, domains, URLs, hashes and CVEs posted here are listed once captured.'}</p> : (
                    <ul class="ioc-list" aria-label="Indicators in this channel">
                        {list.map((i) => <li key={i.id}><IndicatorRow ind={i} onOpen={() => showIndicator({id: i.id})}/></li>)}
                    </ul>
                )}
        </div>
    );
}

function teamNameOf(teamId: string): string | undefined {
    return (teams.value.find((t) => t.id === teamId) ?? currentTeam.value)?.name;
}

/** What the indicator detail shows about each sighting, with a jump to its message. */
export function Sightings({detail}: {detail: IndicatorDetail}) {
    const myId = me.value!.id;
    return (
        <ul class="sightings" aria-label="Sightings">
            {detail.sightings.map((s) => {
                const c = anyChannel(s.channel_id);
                const author = users.value[s.user_id];
                return (
                    <li key={s.id} class="sighting">
                        <div class="sighting-meta">
                            <span class="result-channel">{c && <ChannelIcon type={c.type}/>} {c ? channelLabel(c, users.value, myId) : 'A channel'}</span>
                            <TlpBadge tlp={s.tlp} compact/>
                            <time class="muted small" dateTime={new Date(s.seen_at).toISOString()} title={fullDate(s.seen_at)}>{when(s.seen_at)}</time>
                        </div>
                        <div class="sighting-body">
                            <span class="small">{author ? <UserName user={author}/> : 'Someone'} wrote <code class="raw">{s.raw}</code></span>
                            <button type="button" class="btn small-btn" aria-label={`Jump to the message in ${c ? channelLabel(c, users.value, myId) : 'its channel'}`}
                                onClick={() => void jumpToPost(s.post_id)}><Icon name="jump" size={14}/> Jump</button>
                        </div>
                    </li>
                );
            })}
        </ul>
    );
}

/** The facts of an indicator as a definition list. */
export function Facts({d}: {d: IndicatorDetail}) {
    const effective = strictest([d.tlp_floor, ...d.sightings.map((s) => s.tlp)]);
    const reviewer = d.reviewed_by ? users.value[d.reviewed_by] : undefined;
    return (
        <dl class="facts">
            <dt>Status</dt><dd><StatusChip status={d.status}/></dd>
            <dt>Confidence</dt><dd><Confidence value={d.confidence}/></dd>
            <dt>Shared as</dt><dd><TlpBadge tlp={effective} compact/></dd>
            <dt>Tags</dt><dd>{d.tags.length ? d.tags.map((t) => <span key={t} class="tag">{t}</span>) : <span class="muted">none</span>}</dd>
            <dt>Kill chain</dt><dd>{d.kill_chain_phase || <span class="muted">not set</span>}</dd>
            <dt>Valid until</dt><dd>{d.valid_until ? when(d.valid_until) : <span class="muted">no expiry</span>}</dd>
            <dt>First seen</dt><dd>{when(d.first_seen)}</dd>
            {d.sightings.length > 0 && <><dt>Last seen</dt><dd>{when(Math.max(...d.sightings.map((s) => s.seen_at)))}</dd></>}
            <dt>Reviewed</dt><dd>{d.reviewed_at ? <>{displayName(reviewer, 'An analyst')}, {when(d.reviewed_at)}</> : <span class="muted">not yet</span>}</dd>
            {d.published_at > 0 && <><dt>Published</dt><dd>{when(d.published_at)}</dd></>}
        </dl>
    );
}

export function IndicatorPanel({r}: {r: Extract<NonNullable<Rhs>, {kind: 'indicator'}>}) {
    const [id, setId] = useState(r.id ?? '');
    const [detail, setDetail] = useState<IndicatorDetail | null>(null);
    const [problem, setProblem] = useState('');
    useEffect(() => {
        let live = true;
        setDetail(null);
        setProblem('');
        (async () => {
            let target = r.id ?? '';
            if (!target && r.lookup) {
                const found = await findIndicator(r.lookup.type, r.lookup.value);
                if (!found) {
                    setProblem('This value has not been captured as an indicator in any channel you can read (channels with capture off, and direct messages, are not collected).');
                    return;
                }
                target = found.id;
            }
            setId(target);
            const d = await indicatorDetail(target);
            if (live) {
                setDetail(d);
            }
        })().catch((e) => live && setProblem(statusCode(e) === 404 ? 'This indicator is not in any channel you can read.' : errorText(e)));
        return () => {
            live = false;
        };
    }, [r.id, r.lookup?.value, r.lookup?.type, reviewed.value[id]?.update_at]);
    const team = detail ? teamNameOf(detail.sightings[0]?.team_id ?? '') : undefined;
    return (
        <div class="panel-scroll ioc-detail">
            {r.back && (
                <button type="button" class="link back-link" onClick={() => {
                    rhs.value = r.back ?? null;
                }}><Icon name="back" size={14}/> {r.back.kind === 'intel' ? 'All indicators in the channel' : r.back.kind === 'search' ? 'Search results' : 'Back'}</button>
            )}
            {problem ? <p class="muted pad" role="status">{problem}</p> : !detail ? <p class="muted pad" role="status">Loading…</p> : (
                <>
                    <div class="ioc-detail-head pad">
                        <p class="ioc-kind"><TypeBadge type={detail.type}/> {typeName(detail.type)}</p>
                        <p class="mono ioc-big" data-ioc-value={detail.value}>{detail.defanged}</p>
                        <CopyButtons value={detail.value} defanged={detail.defanged}/>
                    </div>
                    <div class="pad"><Facts d={detail}/></div>
                    <div class="pad row-actions wrap">
                        <button type="button" class="btn" onClick={() => {
                            rhs.value = {kind: 'search', terms: detail.value};
                        }}><Icon name="search" size={15}/> Search messages carrying it</button>
                        {detail.can_review && team && (
                            <button type="button" class="btn primary" onClick={() => navigate(`/${encodeURIComponent(team)}/intel?id=${encodeURIComponent(detail.id)}`)}>
                                <Icon name="shield" size={15}/> Review
                            </button>
                        )}
                    </div>
                    <h3 class="pad section-title">Sightings you can read · {detail.sightings.length} in {new Set(detail.sightings.map((s) => s.channel_id)).size} {new Set(detail.sightings.map((s) => s.channel_id)).size === 1 ? 'channel' : 'channels'}</h3>
                    <Sightings detail={detail}/>
                </>
            )}
        </div>
    );
}
