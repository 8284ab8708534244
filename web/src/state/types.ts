// The API's shapes, with Conclave's additions to Mattermost's types.
import type {UserProfile as MmUser} from '@mattermost/types/users';
import type {Channel as MmChannel, ChannelMembership} from '@mattermost/types/channels';
import type {Team as MmTeam, TeamMembership} from '@mattermost/types/teams';
import type {Post, PostList} from '@mattermost/types/posts';
import type {FileInfo} from '@mattermost/types/files';
import type {Reaction} from '@mattermost/types/reactions';

export type User = MmUser & {organization?: string; org_id?: string};
export type Channel = MmChannel & {tlp?: string; intel_mode?: string; intel_attribution?: boolean; total_msg_count: number; total_msg_count_root?: number};
export type Team = MmTeam & {default_tlp?: string};
export type {ChannelMembership, TeamMembership, Post, PostList, FileInfo, Reaction};
