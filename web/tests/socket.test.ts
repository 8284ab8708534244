import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {Socket, type SocketStatus, type WsEvent} from '../src/lib/socket';

class FakeWs {
    static all: FakeWs[] = [];
    readyState = 1;
    sent: string[] = [];
    closed: number | null = null;
    onopen: ((ev: Event) => void) | null = null;
    onclose: ((ev: CloseEvent) => void) | null = null;
    onerror: ((ev: Event) => void) | null = null;
    onmessage: ((ev: MessageEvent) => void) | null = null;
    constructor(public url: string) {
        FakeWs.all.push(this);
    }
    send(s: string) {
        this.sent.push(s);
    }
    close(code?: number) {
        this.closed = code ?? 1000;
    }
    emit(obj: unknown) {
        this.onmessage?.({data: JSON.stringify(obj)} as MessageEvent);
    }
    serverClose() {
        this.onclose?.({} as CloseEvent);
    }
}

function setup() {
    const events: WsEvent[] = [];
    const hellos: boolean[] = [];
    const statuses: SocketStatus[] = [];
    const target = new EventTarget();
    const s = new Socket({url: 'ws://x/api/v4/websocket', create: (u) => new FakeWs(u) as never, events: target as never, backoff: () => 10, pingMs: 1000},
        {onEvent: (e) => events.push(e), onHello: (r) => hellos.push(r), onStatus: (st) => statuses.push(st)});
    return {s, events, hellos, statuses, target};
}

const ev = (event: string, seq: number) => ({event, seq, data: {}, broadcast: {}});

describe('Socket', () => {
    beforeEach(() => {
        FakeWs.all = [];
        vi.useFakeTimers();
    });
    afterEach(() => vi.useRealTimers());

    it('delivers events in sequence after hello and reports the first connect', () => {
        const {s, events, hellos, statuses} = setup();
        s.connect();
        const ws = FakeWs.all[0];
        ws.emit(ev('hello', 0));
        ws.emit(ev('posted', 1));
        ws.emit(ev('typing', 2));
        expect(events.map((e) => e.event)).toEqual(['posted', 'typing']);
        expect(hellos).toEqual([false]);
        expect(statuses.at(-1)).toBe('online');
    });

    it('closes and reconnects on a sequence gap, then asks for a resync', () => {
        const {s, events, hellos} = setup();
        s.connect();
        FakeWs.all[0].emit(ev('hello', 0));
        FakeWs.all[0].emit(ev('posted', 2));
        expect(events).toEqual([]);
        expect(FakeWs.all[0].closed).toBe(4001);
        vi.advanceTimersByTime(20);
        expect(FakeWs.all.length).toBe(2);
        FakeWs.all[1].emit(ev('hello', 0));
        expect(hellos).toEqual([false, true]);
    });

    it('reconnects after the server closes the socket', () => {
        const {s, hellos} = setup();
        s.connect();
        FakeWs.all[0].emit(ev('hello', 0));
        FakeWs.all[0].serverClose();
        vi.advanceTimersByTime(20);
        FakeWs.all[1].emit(ev('hello', 0));
        expect(hellos).toEqual([false, true]);
    });

    it('drops the socket when the browser goes offline and reopens it when back online', () => {
        const {s, statuses, target} = setup();
        s.connect();
        FakeWs.all[0].emit(ev('hello', 0));
        target.dispatchEvent(new Event('offline'));
        expect(FakeWs.all[0].closed).toBe(4000);
        expect(statuses).toContain('offline');
        target.dispatchEvent(new Event('online'));
        expect(FakeWs.all.length).toBe(2);
    });

    it('pings, and treats a missing answer as a dead connection', () => {
        const {s} = setup();
        s.connect();
        const ws = FakeWs.all[0];
        ws.emit(ev('hello', 0));
        vi.advanceTimersByTime(1000);
        expect(JSON.parse(ws.sent[0]).action).toBe('ping');
        vi.advanceTimersByTime(1000);
        expect(ws.closed).toBe(4000);
    });

    it('sends actions with increasing client sequence numbers', () => {
        const {s} = setup();
        s.connect();
        FakeWs.all[0].emit(ev('hello', 0));
        s.send('user_typing', {channel_id: 'c'});
        s.send('user_typing', {channel_id: 'c'});
        expect(FakeWs.all[0].sent.map((x) => JSON.parse(x).seq)).toEqual([1, 2]);
    });
});
