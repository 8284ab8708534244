// The real-time connection: Mattermost's WebSocket protocol with its sequence numbers.
//
// The server numbers events on a connection from 0 (`hello`) upward by exactly one. A gap
// means an event was lost, so the socket is closed and reopened; every `hello` after the
// first tells the app to resync over REST (`posts?since=`), which is where correctness comes
// from: the socket only makes things fast. The browser's offline/online events close and
// reopen the socket at once instead of waiting for a timeout.

export interface WsEvent {
    event: string;
    data: Record<string, unknown>;
    broadcast: {channel_id?: string; team_id?: string; user_id?: string; omit_users?: Record<string, boolean> | null};
    seq: number;
}

export type SocketStatus = 'connecting' | 'online' | 'offline';

export interface SocketHandlers {
    onEvent(ev: WsEvent): void;
    /** A new server connection began; `reconnect` is false only for the very first one. */
    onHello(reconnect: boolean): void;
    onStatus(status: SocketStatus): void;
}

type WebSocketLike = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
    onopen: ((ev: Event) => void) | null;
    onclose: ((ev: CloseEvent) => void) | null;
    onerror: ((ev: Event) => void) | null;
    onmessage: ((ev: MessageEvent) => void) | null;
};

export interface SocketOptions {
    url: string;
    create?: (url: string) => WebSocketLike;
    /** Where online/offline events come from (window in the browser). */
    events?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
    pingMs?: number;
    backoff?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number) => Math.min(1000 * 2 ** Math.max(0, attempt - 1), 15000) + Math.random() * 500;

export class Socket {
    private ws: WebSocketLike | null = null;
    private expected = 0;
    private clientSeq = 1;
    private attempts = 0;
    private everConnected = false;
    private stopped = false;
    private timer: ReturnType<typeof setTimeout> | null = null;
    private pinger: ReturnType<typeof setInterval> | null = null;
    private awaitingPong = false;
    private readonly opts: Required<SocketOptions>;

    constructor(opts: SocketOptions, private readonly handlers: SocketHandlers) {
        this.opts = {
            create: (url) => new WebSocket(url) as WebSocketLike,
            events: window,
            pingMs: 30000,
            backoff: defaultBackoff,
            ...opts,
        };
        this.opts.events.addEventListener('offline', this.onOffline);
        this.opts.events.addEventListener('online', this.onOnline);
    }

    connect(): void {
        this.stopped = false;
        this.open();
    }

    /** Closes for good (logout). */
    stop(): void {
        this.stopped = true;
        this.opts.events.removeEventListener('offline', this.onOffline);
        this.opts.events.removeEventListener('online', this.onOnline);
        this.clearTimers();
        this.drop(1000);
    }

    send(action: string, data: Record<string, unknown>): boolean {
        if (!this.ws || this.ws.readyState !== 1) {
            return false;
        }
        this.ws.send(JSON.stringify({action, seq: this.clientSeq++, data}));
        return true;
    }

    private onOffline = () => {
        this.drop(4000);
        this.handlers.onStatus('offline');
        // Keep trying slowly in case the browser never says it is back online.
        this.attempts = Math.max(this.attempts, 3);
        this.scheduleReconnect();
    };

    private onOnline = () => {
        if (this.stopped) {
            return;
        }
        this.attempts = 0;
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = null;
        }
        if (!this.ws) {
            this.open();
        }
    };

    private clearTimers() {
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = null;
        }
        if (this.pinger) {
            clearInterval(this.pinger);
            this.pinger = null;
        }
    }

    private drop(code: number) {
        const ws = this.ws;
        this.ws = null;
        if (this.pinger) {
            clearInterval(this.pinger);
            this.pinger = null;
        }
        if (ws) {
            ws.onclose = null;
            ws.onmessage = null;
            ws.onerror = null;
            try {
                ws.close(code);
            } catch {
                // Already closing.
            }
        }
    }

    private open() {
        if (this.stopped || this.ws) {
            return;
        }
        this.handlers.onStatus('connecting');
        this.expected = 0;
        let ws: WebSocketLike;
        try {
            ws = this.opts.create(this.opts.url);
        } catch {
            this.scheduleReconnect();
            return;
        }
        this.ws = ws;
        ws.onmessage = (m) => this.onMessage(m);
        ws.onclose = () => {
            if (this.ws === ws) {
                this.ws = null;
                this.scheduleReconnect();
            }
        };
        ws.onerror = () => {
            // onclose follows and schedules the reconnect.
        };
    }

    private scheduleReconnect() {
        if (this.pinger) {
            clearInterval(this.pinger);
            this.pinger = null;
        }
        if (this.stopped || this.timer) {
            return;
        }
        this.handlers.onStatus(this.attempts > 1 ? 'offline' : 'connecting');
        this.attempts++;
        this.timer = setTimeout(() => {
            this.timer = null;
            this.open();
        }, this.opts.backoff(this.attempts));
    }

    private onMessage(m: MessageEvent) {
        let msg: Record<string, unknown>;
        try {
            msg = JSON.parse(String(m.data));
        } catch {
            return;
        }
        if ('seq_reply' in msg) {
            this.awaitingPong = false;
            return;
        }
        const ev = msg as unknown as WsEvent;
        if (typeof ev.seq !== 'number' || typeof ev.event !== 'string') {
            return;
        }
        if (ev.seq !== this.expected) {
            // A lost event: start over and let the app resync.
            this.drop(4001);
            this.scheduleReconnect();
            return;
        }
        this.expected++;
        if (ev.event === 'hello') {
            const reconnect = this.everConnected;
            this.everConnected = true;
            this.attempts = 0;
            this.startPing();
            this.handlers.onStatus('online');
            this.handlers.onHello(reconnect);
            return;
        }
        this.handlers.onEvent(ev);
    }

    private startPing() {
        if (this.pinger) {
            clearInterval(this.pinger);
        }
        this.awaitingPong = false;
        this.pinger = setInterval(() => {
            if (this.awaitingPong) {
                // No answer since the last ping: the connection is dead even if not closed.
                this.drop(4000);
                this.scheduleReconnect();
                return;
            }
            this.awaitingPong = this.send('ping', {});
        }, this.opts.pingMs);
    }
}
