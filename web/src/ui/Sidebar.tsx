// The channel list: the team's channels, then direct and group messages, with unread state.
import {normalizeTlp} from '../lib/tlp';
import {isAnalyst} from '../state/intel';
import {channelPath, feedsPath, intelPath, navigate, route} from '../state/router';
import {channelLabel, channels, currentChannelId, dmPartnerId, isDmLike, me, myMembers, unreadCount, users} from '../state/store';
import type {Channel, Team} from '../state/types';
import {ChannelIcon, Icon, IconButton} from './common';
import {openModal} from './Modals';

function Entry({c, team}: {c: Channel; team: Team}) {
    const myId = me.value!.id;
    const m = myMembers.value[c.id];
    const unread = unreadCount(c, m);
    const mentions = isDmLike(c) ? Math.max(m?.mention_count || 0, unread) : m?.mention_count || 0;
    const active = currentChannelId.value === c.id;
    const label = channelLabel(c, users.value, myId);
    const tlp = normalizeTlp(c.tlp);
    const partner = c.type === 'D' ? users.value[dmPartnerId(c, myId)] : undefined;
    const described = [unread > 0 ? 'unread' : '', mentions > 0 ? `${mentions} mention${mentions === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    const href = channelPath(team.name, c.name);
    return (
        <li>
            <a href={href} class={`ch-link${active ? ' active' : ''}${unread > 0 ? ' unread' : ''}`} aria-current={active ? 'page' : undefined}
                data-channel-name={c.name} aria-label={`${label}${c.type === 'P' ? ' (private)' : ''}${described ? `, ${described}` : ''}`}
                onClick={(e) => {
                    e.preventDefault();
                    navigate(href);
                }}>
                <ChannelIcon type={c.type}/>
                <span class="ch-name">{label}</span>
                {partner?.organization && <span class="ch-org">{partner.organization}</span>}
                {(tlp === 'RED' || tlp.startsWith('AMBER')) && !isDmLike(c) && <span class={`tlp-dot tlp-dot-${tlp === 'RED' ? 'red' : 'amber'}`} title={`TLP:${tlp}`}/>}
                {mentions > 0 && <span class="badge" aria-hidden="true">{mentions}</span>}
            </a>
        </li>
    );
}

function PageLink({href, kind, icon, label}: {href: string; kind: string; icon: string; label: string}) {
    const active = route.value.kind === kind;
    return (
        <li>
            <a href={href} class={`ch-link page-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined} onClick={(e) => {
                e.preventDefault();
                navigate(href);
            }}><Icon name={icon} size={15}/><span class="ch-name">{label}</span></a>
        </li>
    );
}

export function Sidebar({team}: {team: Team}) {
    const all = Object.values(channels.value).filter((c) => !c.delete_at && myMembers.value[c.id]);
    const myId = me.value!.id;
    const regular = all.filter((c) => c.team_id === team.id && !isDmLike(c))
        .sort((a, b) => channelLabel(a, users.value, myId).localeCompare(channelLabel(b, users.value, myId)));
    const dms = all.filter(isDmLike).sort((a, b) => (b.last_post_at || b.create_at) - (a.last_post_at || a.create_at));
    return (
        <nav class="sidebar" aria-label="Channels">
            <div class="sidebar-head">
                <h2 class="team-name">{team.display_name}</h2>
            </div>
            <div class="sidebar-scroll">
                <section aria-labelledby="sec-channels">
                    <div class="sec-head">
                        <h3 id="sec-channels">Channels</h3>
                        <IconButton label="Browse channels" icon="globe" onClick={() => openModal({kind: 'browse'})}/>
                        <IconButton label="Create a channel" icon="plus" onClick={() => openModal({kind: 'create-channel'})}/>
                    </div>
                    <ul class="ch-list">{regular.map((c) => <Entry key={c.id} c={c} team={team}/>)}</ul>
                </section>
                <section aria-labelledby="sec-intel">
                    <div class="sec-head"><h3 id="sec-intel">Intel</h3></div>
                    <ul class="ch-list">
                        <PageLink href={intelPath(team.name)} kind="intel" icon="shield" label={isAnalyst(team.id) ? 'Indicator review' : 'Indicators'}/>
                        {(me.value?.roles || '').includes('system_admin') && <PageLink href={feedsPath(team.name)} kind="intel-admin" icon="key" label="Feeds and keys"/>}
                    </ul>
                </section>
                <section aria-labelledby="sec-dms">
                    <div class="sec-head">
                        <h3 id="sec-dms">Direct messages</h3>
                        <IconButton label="Start a direct message" icon="plus" onClick={() => openModal({kind: 'directory'})}/>
                    </div>
                    <ul class="ch-list">{dms.map((c) => <Entry key={c.id} c={c} team={team}/>)}</ul>
                    {dms.length === 0 && <button type="button" class="link small" onClick={() => openModal({kind: 'directory'})}>
                        <Icon name="users" size={14}/> Find people in the member directory</button>}
                </section>
            </div>
        </nav>
    );
}
