// One message: author with organization, time, rendered markdown, files, reactions, actions.
import {memo} from 'preact/compat';
import {useEffect, useLayoutEffect, useRef, useState} from 'preact/hooks';
import {emojiChar, PICKER} from '../lib/emoji';
import {applyHighlights, collectText} from '../lib/highlight';
import {renderMarkdownFragment} from '../lib/markdown';
import {clock, fileSize, fullDate} from '../lib/time';
import {discardFailed, editPost, errorText, retryFailed, setPinned, toggleReaction} from '../state/actions';
import {extract} from '../state/intel';
import {displayName, editingPostId, me, rhs, showToast, users, type Failed} from '../state/store';
import type {FileInfo, Post} from '../state/types';
import {Avatar, Icon, IconButton, UserName} from './common';
import {onIocClick} from './IocMenu';
import {openModal} from './Modals';

/**
 * A message's text: sanitized markdown as DOM nodes, then indicators highlighted (defanged,
 * with copy actions) once the server has found them. The nodes are this component's own:
 * Preact renders an empty element and never diffs inside it.
 */
export const Markdown = memo(({text, edited = false, interactive = true}: {text: string; edited?: boolean; interactive?: boolean}) => {
    const ref = useRef<HTMLDivElement>(null);
    useLayoutEffect(() => {
        const el = ref.current!;
        el.replaceChildren(renderMarkdownFragment(text));
        const map = collectText(el);
        const known = extract.peek(map.text);
        if (known) {
            applyHighlights(map, known, interactive);
            return undefined;
        }
        let live = true;
        extract(map.text).then((found) => {
            if (live && found.length && applyHighlights(map, found, interactive)) {
                // Lists that keep the reader at the bottom re-measure.
                el.dispatchEvent(new CustomEvent('conclave:reflow', {bubbles: true}));
            }
        }).catch(() => undefined);
        return () => {
            live = false;
        };
    }, [text, interactive]);
    return <div ref={ref} class={edited ? 'md is-edited' : 'md'} onClick={interactive ? (e) => void onIocClick(e) : undefined}/>;
});

/** The size an image preview will take, known before it loads so the list does not jump. */
function previewSize(f: FileInfo): {width?: number; height?: number} {
    if (!f.width || !f.height) {
        return {};
    }
    const scale = Math.min(1, 360 / f.width, 260 / f.height);
    return {width: Math.round(f.width * scale), height: Math.round(f.height * scale)};
}

function isImage(f: FileInfo) {
    return /^image\/(png|jpeg|gif|webp|bmp)$/.test(f.mime_type);
}

function Files({files}: {files: FileInfo[]}) {
    return (
        <div class="files">
            {files.map((f) => isImage(f) ? (
                <a key={f.id} class="file-image" href={`/api/v4/files/${f.id}`} target="_blank" rel="noopener noreferrer" title={f.name}>
                    <img src={f.has_preview_image ? `/api/v4/files/${f.id}/preview` : `/api/v4/files/${f.id}`} alt={f.name} {...previewSize(f)}/>
                    <span class="file-caption">{f.name}</span>
                </a>
            ) : (
                <a key={f.id} class="file-card" href={`/api/v4/files/${f.id}?download=1`} download={f.name}>
                    <Icon name="file"/><span class="file-name">{f.name}</span><span class="file-size">{fileSize(f.size)}</span>
                </a>
            ))}
        </div>
    );
}

function Reactions({post}: {post: Post}) {
    const myId = me.value!.id;
    const groups = new Map<string, string[]>();
    for (const r of post.metadata?.reactions ?? []) {
        groups.set(r.emoji_name, [...(groups.get(r.emoji_name) ?? []), r.user_id]);
    }
    if (groups.size === 0) {
        return null;
    }
    return (
        <div class="reactions" role="group" aria-label="Reactions">
            {[...groups.entries()].map(([name, who]) => {
                const mine = who.includes(myId);
                const names = who.map((id) => displayName(users.value[id])).join(', ');
                return (
                    <button key={name} type="button" class={`reaction${mine ? ' mine' : ''}`} aria-pressed={mine}
                        aria-label={`${name} reaction by ${names}. ${mine ? 'Remove yours' : 'Add yours'}`} title={`${names} reacted with :${name}:`}
                        onClick={() => toggleReaction(post.id, name).catch((e) => showToast(errorText(e)))}>
                        <span aria-hidden="true">{emojiChar(name)}</span> <span class="count">{who.length}</span>
                    </button>
                );
            })}
        </div>
    );
}

export function EmojiPicker({onPick, onClose}: {onPick: (name: string) => void; onClose: () => void}) {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        (ref.current?.querySelector('button') as HTMLButtonElement | null)?.focus();
        const close = (e: MouseEvent) => {
            if (!ref.current?.contains(e.target as Node)) {
                onClose();
            }
        };
        document.addEventListener('mousedown', close);
        return () => document.removeEventListener('mousedown', close);
    }, []);
    return (
        <div class="emoji-picker" role="dialog" aria-label="Choose a reaction" ref={ref} onKeyDown={(e) => {
            if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                onClose();
            }
        }}>
            {PICKER.map((name) => (
                <button key={name} type="button" aria-label={name.replace(/_/g, ' ')} title={`:${name}:`} onClick={() => {
                    onPick(name);
                    onClose();
                }}>{emojiChar(name)}</button>
            ))}
        </div>
    );
}

function EditBox({post}: {post: Post}) {
    const [text, setText] = useState(post.message);
    const [busy, setBusy] = useState(false);
    const ref = useRef<HTMLTextAreaElement>(null);
    useEffect(() => {
        const el = ref.current!;
        el.focus();
        el.setSelectionRange(el.value.length, el.value.length);
    }, []);
    const done = () => {
        editingPostId.value = '';
        document.getElementById(post.root_id ? 'thread-input' : 'composer-input')?.focus();
    };
    const save = async () => {
        if (!text.trim()) {
            return;
        }
        setBusy(true);
        try {
            if (text !== post.message) {
                await editPost(post.id, text);
            }
            done();
        } catch (e) {
            showToast(errorText(e));
            setBusy(false);
        }
    };
    return (
        <div class="edit-box">
            <textarea ref={ref} aria-label="Edit message" value={text} rows={Math.min(8, text.split('\n').length + 1)}
                onInput={(e) => setText(e.currentTarget.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                        e.preventDefault();
                        void save();
                    } else if (e.key === 'Escape') {
                        e.preventDefault();
                        e.stopPropagation();
                        done();
                    }
                }}/>
            <div class="edit-actions">
                <span class="muted small">Enter to save, Esc to cancel</span>
                <button type="button" class="btn" onClick={done}>Cancel</button>
                <button type="button" class="btn primary" disabled={busy} onClick={() => void save()}>Save</button>
            </div>
        </div>
    );
}

export const PostItem = ({post, continued, highlighted, inThread = false}: {post: Post; continued: boolean; highlighted: boolean; inThread?: boolean}) => {
    const [picking, setPicking] = useState(false);
    const author = users.value[post.user_id];
    const mine = post.user_id === me.value?.id;
    const editing = editingPostId.value === post.id;
    const files = post.metadata?.files ?? [];
    const openThread = () => {
        rhs.value = {kind: 'thread', rootId: post.root_id || post.id};
    };
    const system = (post.type || '').startsWith('system_');
    return (
        <article class={`post${continued ? ' continued' : ''}${highlighted ? ' highlight' : ''}${system ? ' system' : ''}`} data-post-id={post.id}
            tabIndex={-1} aria-label={`${displayName(author)}${author?.organization ? ` (${author.organization})` : ''} at ${clock(post.create_at)}`}>
            <div class="post-gutter">
                {continued ? <time class="hover-time" dateTime={new Date(post.create_at).toISOString()} title={fullDate(post.create_at)}>{clock(post.create_at)}</time> :
                    <Avatar user={author} size={36}/>}
            </div>
            <div class="post-body">
                {!continued && (
                    <div class="post-head">
                        <UserName user={author}/>
                        <time dateTime={new Date(post.create_at).toISOString()} title={fullDate(post.create_at)}>{clock(post.create_at)}</time>
                        {post.is_pinned && <span class="pinned-tag"><Icon name="pin" size={12}/> Pinned</span>}
                    </div>
                )}
                {continued && post.is_pinned && <span class="pinned-tag"><Icon name="pin" size={12}/> Pinned</span>}
                {editing ? <EditBox post={post}/> : <>
                    <Markdown text={post.message} edited={post.edit_at > 0}/>
                </>}
                {files.length > 0 && <Files files={files}/>}
                <Reactions post={post}/>
                {!inThread && !post.root_id && post.reply_count > 0 && (
                    <button type="button" class="reply-count" onClick={openThread} aria-label={`${post.reply_count} ${post.reply_count === 1 ? 'reply' : 'replies'}, open thread`}>
                        <Icon name="reply" size={14}/> {post.reply_count} {post.reply_count === 1 ? 'reply' : 'replies'}
                    </button>
                )}
            </div>
            {!editing && (
                <div class="post-actions" role="toolbar" aria-label="Message actions">
                    <IconButton label="Add reaction" icon="smile" onClick={() => setPicking(!picking)}/>
                    {!inThread && <IconButton label="Reply in thread" icon="reply" onClick={openThread}/>}
                    <IconButton label={post.is_pinned ? 'Unpin message' : 'Pin message'} icon="pin" pressed={post.is_pinned}
                        onClick={() => setPinned(post.id, !post.is_pinned).catch((e) => showToast(errorText(e)))}/>
                    {mine && <IconButton label="Edit message" icon="edit" onClick={() => {
                        editingPostId.value = post.id;
                    }}/>}
                    {mine && <IconButton label="Delete message" icon="trash" class="danger" onClick={() => openModal({kind: 'delete-post', postId: post.id})}/>}
                    {picking && <EmojiPicker onPick={(name) => toggleReaction(post.id, name).catch((e) => showToast(errorText(e)))} onClose={() => setPicking(false)}/>}
                </div>
            )}
        </article>
    );
};

export function FailedPost({pendingId, failed}: {pendingId: string; failed: Failed}) {
    return (
        <article class="post failed" aria-label="Message not sent">
            <div class="post-gutter"><Avatar user={me.value!} size={36}/></div>
            <div class="post-body">
                <div class="post-head"><UserName user={me.value!}/><span class="error-tag">Not sent</span></div>
                <Markdown text={failed.post.message}/>
                <p class="form-error small">{failed.error}</p>
                <div class="row-actions">
                    <button type="button" class="btn" onClick={() => void retryFailed(pendingId)}>Retry</button>
                    <button type="button" class="btn ghost" onClick={() => discardFailed(pendingId)}>Discard</button>
                </div>
            </div>
        </article>
    );
}
