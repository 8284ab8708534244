-- Conclave schema, SQLite dialect. Keep in step with ../postgres/0001_init.sql; a test
-- compares the two. Ids are Mattermost's 26-character strings, times are milliseconds,
-- flags are 0/1 integers (so the same row mapping works on both backends).

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    create_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    email_verified BIGINT NOT NULL DEFAULT 0,
    nickname TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    props TEXT NOT NULL DEFAULT '{}',
    notify_props TEXT NOT NULL DEFAULT '{}',
    timezone TEXT NOT NULL DEFAULT '{}',
    last_password_update BIGINT NOT NULL DEFAULT 0,
    last_picture_update BIGINT NOT NULL DEFAULT 0,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    is_bot BIGINT NOT NULL DEFAULT 0,
    bot_description TEXT NOT NULL DEFAULT '',
    org_id TEXT REFERENCES organizations(id),
    password_hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    create_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    device_id TEXT NOT NULL DEFAULT '',
    csrf_token TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    team_type TEXT NOT NULL,
    company_name TEXT NOT NULL DEFAULT '',
    allowed_domains TEXT NOT NULL DEFAULT '',
    invite_id TEXT NOT NULL UNIQUE,
    allow_open_invite BIGINT NOT NULL DEFAULT 0,
    default_tlp TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    scheme_admin BIGINT NOT NULL DEFAULT 0,
    analyst BIGINT NOT NULL DEFAULT 0,
    delete_at BIGINT NOT NULL DEFAULT 0,
    create_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL DEFAULT '',
    channel_type TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    header TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    creator_id TEXT NOT NULL DEFAULT '',
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    last_post_at BIGINT NOT NULL DEFAULT 0,
    last_root_post_at BIGINT NOT NULL DEFAULT 0,
    total_msg_count BIGINT NOT NULL DEFAULT 0,
    total_msg_count_root BIGINT NOT NULL DEFAULT 0,
    tlp TEXT NOT NULL,
    intel_mode TEXT NOT NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    scheme_admin BIGINT NOT NULL DEFAULT 0,
    last_viewed_at BIGINT NOT NULL DEFAULT 0,
    msg_count BIGINT NOT NULL DEFAULT 0,
    msg_count_root BIGINT NOT NULL DEFAULT 0,
    mention_count BIGINT NOT NULL DEFAULT 0,
    mention_count_root BIGINT NOT NULL DEFAULT 0,
    urgent_mention_count BIGINT NOT NULL DEFAULT 0,
    notify_props TEXT NOT NULL DEFAULT '{}',
    last_update_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);

-- `seq` is an explicit integer key (an alias of SQLite's rowid, stable across VACUUM) that
-- the full-text index refers to.
CREATE TABLE posts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    edit_at BIGINT NOT NULL DEFAULT 0,
    delete_at BIGINT NOT NULL DEFAULT 0,
    is_pinned BIGINT NOT NULL DEFAULT 0,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL REFERENCES channels(id),
    root_id TEXT NOT NULL DEFAULT '',
    original_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    post_type TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    hashtags TEXT NOT NULL DEFAULT '',
    file_ids TEXT NOT NULL DEFAULT '[]',
    pending_post_id TEXT NOT NULL DEFAULT '',
    reply_count BIGINT NOT NULL DEFAULT 0,
    last_reply_at BIGINT NOT NULL DEFAULT 0,
    has_reactions BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX posts_channel_create ON posts(channel_id, create_at);
CREATE INDEX posts_channel_update ON posts(channel_id, update_at);
CREATE INDEX posts_root ON posts(root_id, create_at) WHERE root_id <> '';
CREATE INDEX posts_create ON posts(create_at);
-- The idempotency key: one post per (user, pending_post_id), enforced in the same
-- transaction that stores the post, so retries never duplicate.
CREATE UNIQUE INDEX posts_pending ON posts(user_id, pending_post_id) WHERE pending_post_id <> '';

CREATE VIRTUAL TABLE posts_fts USING fts5(message, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');

-- Whole technical tokens (IPs, hashes, domains, URLs, e-mails) for exact search.
CREATE TABLE post_tokens (
    token TEXT NOT NULL,
    post_id TEXT NOT NULL,
    PRIMARY KEY (token, post_id)
);
CREATE INDEX post_tokens_post ON post_tokens(post_id);

CREATE TABLE reactions (
    post_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    emoji_name TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji_name)
);

CREATE TABLE file_infos (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    post_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    extension TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    mime_type TEXT NOT NULL DEFAULT '',
    width BIGINT NOT NULL DEFAULT 0,
    height BIGINT NOT NULL DEFAULT 0,
    has_preview_image BIGINT NOT NULL DEFAULT 0,
    path TEXT NOT NULL,
    thumbnail_path TEXT NOT NULL DEFAULT '',
    preview_path TEXT NOT NULL DEFAULT '',
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX file_infos_post ON file_infos(post_id);

CREATE TABLE preferences (
    user_id TEXT NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, category, name)
);

CREATE TABLE statuses (
    user_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    manual BIGINT NOT NULL DEFAULT 0,
    last_activity_at BIGINT NOT NULL DEFAULT 0,
    dnd_end_time BIGINT NOT NULL DEFAULT 0
);
