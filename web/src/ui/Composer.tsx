// The message box: Enter sends, Shift+Enter adds a line, Up edits your last message,
// @ opens member suggestions, files attach by button, paste or drag and drop.
import {useEffect, useRef, useState} from 'preact/hooks';
import {normalizeTlp} from '../lib/tlp';
import {fileSize} from '../lib/time';
import {autocompleteUsers, errorText, sendPost, sendTyping, uploadFile} from '../state/actions';
import {channelLabel, channelPosts, displayName, editingPostId, me, posts, users} from '../state/store';
import type {Channel, FileInfo, User} from '../state/types';
import {Avatar, Icon, IconButton, TlpBadge} from './common';

interface Attachment {
    clientId: string;
    file: File;
    preview: string;
    info?: FileInfo;
    error?: string;
}

const drafts = new Map<string, string>();
const adders = new Map<string, (files: File[]) => void>();

/** Hands dropped files to the composer for the channel ('') or the open thread (its root id). */
export function dropInto(rootId: string, files: File[]): void {
    adders.get(rootId)?.(files);
}

/** The `@prefix` being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): {start: number; prefix: string} | null {
    const before = text.slice(0, caret);
    const m = /(^|\s)@([a-z0-9._-]{0,22})$/i.exec(before);
    return m ? {start: caret - m[2].length - 1, prefix: m[2]} : null;
}

export function Composer({channel, rootId}: {channel: Channel; rootId: string}) {
    const key = `${channel.id}:${rootId}`;
    const [text, setText] = useState(drafts.get(key) ?? '');
    const [files, setFiles] = useState<Attachment[]>([]);
    const [suggest, setSuggest] = useState<{items: User[]; index: number; start: number; prefix: string} | null>(null);
    const [sending, setSending] = useState(false);
    const ref = useRef<HTMLTextAreaElement>(null);
    const fileInput = useRef<HTMLInputElement>(null);
    const inputId = rootId ? 'thread-input' : 'composer-input';
    const label = channelLabel(channel, users.value, me.value!.id);
    const tlp = normalizeTlp(channel.tlp);

    useEffect(() => {
        setText(drafts.get(key) ?? '');
        setFiles([]);
        ref.current?.focus();
    }, [key]);

    useEffect(() => {
        adders.set(rootId, addFiles);
        return () => {
            adders.delete(rootId);
        };
    });

    useEffect(() => {
        const el = ref.current;
        if (el) {
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
        }
    }, [text]);

    function addFiles(list: File[]) {
        const added = list.slice(0, 10 - files.length).map((file) => ({
            clientId: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
            file,
            preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : '',
        }));
        setFiles((cur) => [...cur, ...added]);
        for (const a of added) {
            uploadFile(channel.id, a.file, a.clientId)
                .then((info) => setFiles((cur) => cur.map((x) => x.clientId === a.clientId ? {...x, info} : x)))
                .catch((e) => setFiles((cur) => cur.map((x) => x.clientId === a.clientId ? {...x, error: errorText(e)} : x)));
        }
    }

    const removeFile = (id: string) => setFiles((cur) => {
        const gone = cur.find((x) => x.clientId === id);
        if (gone?.preview) {
            URL.revokeObjectURL(gone.preview);
        }
        return cur.filter((x) => x.clientId !== id);
    });

    const uploading = files.some((f) => !f.info && !f.error);

    const send = async () => {
        const message = text.trim();
        const ready = files.filter((f) => f.info);
        if ((!message && ready.length === 0) || uploading || sending) {
            return;
        }
        setSending(true);
        setText('');
        drafts.delete(key);
        setFiles([]);
        const ok = await sendPost(channel.id, message, rootId, ready.map((f) => f.info!.id));
        setSending(false);
        if (!ok && !message) {
            setFiles(ready);
        }
        ref.current?.focus();
    };

    const editLast = () => {
        const myId = me.value!.id;
        let candidates: string[];
        if (rootId) {
            candidates = Object.values(posts.value).filter((p) => (p.root_id === rootId || p.id === rootId) && !p.delete_at)
                .sort((a, b) => a.create_at - b.create_at).map((p) => p.id);
        } else {
            candidates = channelPosts.value[channel.id]?.order ?? [];
        }
        for (let i = candidates.length - 1; i >= 0; i--) {
            const p = posts.value[candidates[i]];
            if (p && p.user_id === myId && !p.delete_at) {
                editingPostId.value = p.id;
                return true;
            }
        }
        return false;
    };

    const suggestTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
    const updateSuggest = (value: string, caret: number) => {
        const q = mentionQuery(value, caret);
        if (!q) {
            setSuggest(null);
            return;
        }
        if (suggestTimer.current) {
            clearTimeout(suggestTimer.current);
        }
        suggestTimer.current = setTimeout(() => {
            autocompleteUsers(q.prefix, channel.id).then((items) => {
                setSuggest(items.length ? {items, index: 0, start: q.start, prefix: q.prefix} : null);
            }).catch(() => setSuggest(null));
        }, 120);
    };

    const pick = (u: User) => {
        if (!suggest) {
            return;
        }
        const el = ref.current!;
        const caret = el.selectionStart ?? text.length;
        const next = `${text.slice(0, suggest.start)}@${u.username} ${text.slice(caret)}`;
        setText(next);
        drafts.set(key, next);
        setSuggest(null);
        const pos = suggest.start + u.username.length + 2;
        requestAnimationFrame(() => {
            el.focus();
            el.setSelectionRange(pos, pos);
        });
    };

    const onKeyDown = (e: KeyboardEvent) => {
        if (suggest) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                const n = suggest.items.length;
                setSuggest({...suggest, index: (suggest.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n});
                return;
            }
            if (e.key === 'Enter' || e.key === 'Tab') {
                e.preventDefault();
                pick(suggest.items[suggest.index]);
                return;
            }
            if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setSuggest(null);
                return;
            }
        }
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
        } else if (e.key === 'ArrowUp' && text === '' && !e.shiftKey) {
            if (editLast()) {
                e.preventDefault();
            }
        }
    };

    const listId = `${inputId}-suggestions`;
    return (
        <div class="composer">
            {suggest && (
                <ul class="suggestions" id={listId} role="listbox" aria-label="People">
                    {suggest.items.map((u, i) => (
                        <li key={u.id} id={`${listId}-${i}`} role="option" aria-selected={i === suggest.index} class={i === suggest.index ? 'active' : ''}
                            onMouseDown={(e) => {
                                e.preventDefault();
                                pick(u);
                            }}>
                            <Avatar user={u} size={22}/> <strong>{displayName(u)}</strong> <span class="muted">@{u.username}</span>
                            {u.organization && <span class="org">{u.organization}</span>}
                        </li>
                    ))}
                </ul>
            )}
            {files.length > 0 && (
                <ul class="attachments" aria-label="Attachments">
                    {files.map((f) => (
                        <li key={f.clientId} class={`attachment${f.error ? ' error' : ''}`}>
                            {f.preview ? <img src={f.preview} alt=""/> : <Icon name="file"/>}
                            <span class="att-name" title={f.file.name}>{f.file.name}</span>
                            <span class="att-state">{f.error ? f.error : f.info ? fileSize(f.file.size) : 'Uploading…'}</span>
                            <IconButton label={`Remove ${f.file.name}`} icon="close" onClick={() => removeFile(f.clientId)}/>
                        </li>
                    ))}
                </ul>
            )}
            <div class="composer-box">
                <TlpBadge tlp={tlp} compact/>
                <textarea id={inputId} ref={ref} rows={1} value={text} aria-label={rootId ? 'Reply to thread' : `Message ${label}`}
                    placeholder={rootId ? 'Reply…' : `Message ${label}`} aria-autocomplete="list" aria-controls={suggest ? listId : undefined}
                    aria-activedescendant={suggest ? `${listId}-${suggest.index}` : undefined} aria-expanded={Boolean(suggest)}
                    onInput={(e) => {
                        const el = e.currentTarget;
                        setText(el.value);
                        drafts.set(key, el.value);
                        if (el.value) {
                            sendTyping(channel.id, rootId);
                        }
                        updateSuggest(el.value, el.selectionStart ?? el.value.length);
                    }}
                    onKeyDown={onKeyDown}
                    onPaste={(e) => {
                        const pasted = Array.from(e.clipboardData?.files ?? []);
                        if (pasted.length) {
                            e.preventDefault();
                            addFiles(pasted);
                        }
                    }}
                    onBlur={() => setTimeout(() => setSuggest(null), 150)}/>
                <input ref={fileInput} type="file" multiple hidden aria-hidden="true" tabIndex={-1} data-testid={rootId ? 'thread-file-input' : 'file-input'}
                    onChange={(e) => {
                        const list = Array.from(e.currentTarget.files ?? []);
                        e.currentTarget.value = '';
                        addFiles(list);
                    }}/>
                <IconButton label="Attach files" icon="clip" onClick={() => fileInput.current?.click()}/>
                <IconButton label="Send" icon="send" class="send-btn" disabled={uploading || sending || (!text.trim() && !files.some((f) => f.info))}
                    onClick={() => void send()}/>
            </div>
            <p class="composer-hint"><span>Shared here as <strong class={`tlp-text tlp-text-${tlp.toLowerCase().replace('+', '-')}`}>TLP:{tlp}</strong></span>
                <span class="muted">Enter to send · Shift+Enter for a new line · ↑ to edit your last message</span></p>
        </div>
    );
}
