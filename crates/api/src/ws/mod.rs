//! Real-time delivery: the hub that fans domain events out to WebSocket connections.
//!
//! Every event is serialized once into a frame *prefix* (`{"event":…,"data":…,
//! "broadcast":…,"seq":`); each connection appends its own sequence number. Recipients are
//! decided when the event is delivered, from membership read fresh from the store and the
//! same policy REST uses ([`domain::App::channel_readers`]), so a socket opened before a user
//! was removed receives nothing after the removal.
//!
//! Queues are bounded everywhere. A connection whose queue is full is disconnected (its
//! client reconnects and resyncs over REST, as Mattermost clients do); if the hub itself
//! falls behind, every connection is disconnected for the same reason.

mod conn;
mod events;

pub use conn::upgrade;

use crate::ApiConfig;
use domain::App;
use domain::events::{Audience, Event, EventBus, EventKind};
use domain::ids::{SessionId, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{Notify, mpsc};

/// Events waiting for the hub; beyond this the hub is overloaded and resets connections.
const BUS_CAPACITY: usize = 65_536;

/// The in-process implementation of the domain's fan-out port.
pub struct HubBus {
    tx: mpsc::Sender<Arc<Event>>,
    rx: Mutex<Option<mpsc::Receiver<Arc<Event>>>>,
    overflowed: AtomicBool,
}

impl HubBus {
    pub fn new() -> Arc<HubBus> {
        let (tx, rx) = mpsc::channel(BUS_CAPACITY);
        Arc::new(HubBus { tx, rx: Mutex::new(Some(rx)), overflowed: AtomicBool::new(false) })
    }
}

impl EventBus for HubBus {
    fn publish(&self, event: Arc<Event>) {
        if self.tx.try_send(event).is_err() {
            self.overflowed.store(true, Ordering::Relaxed);
        }
    }
}

/// What a connection task is sent.
pub(crate) enum Outbound {
    /// An event frame prefix; the connection appends `seq}`.
    Frame(Arc<str>),
}

/// The hub's handle on one connection.
pub(crate) struct ConnHandle {
    pub id: u64,
    pub user_id: UserId,
    pub session_id: SessionId,
    tx: mpsc::Sender<Outbound>,
    /// Set when the connection must close (slow, revoked, deactivated).
    pub kicked: AtomicBool,
    pub kick: Notify,
}

impl ConnHandle {
    fn send(&self, frame: &Arc<str>) {
        if self.kicked.load(Ordering::Relaxed) {
            return;
        }
        if self.tx.try_send(Outbound::Frame(frame.clone())).is_err() {
            self.close();
        }
    }

    pub fn close(&self) {
        self.kicked.store(true, Ordering::Relaxed);
        self.kick.notify_one();
    }
}

pub struct Hub {
    app: Arc<App>,
    config: ApiConfig,
    conns: RwLock<HashMap<UserId, Vec<Arc<ConnHandle>>>>,
    next_id: AtomicU64,
    count: AtomicUsize,
}

impl Hub {
    /// Starts the hub's delivery task on the bus's queue.
    pub fn start(app: Arc<App>, bus: Arc<HubBus>, config: ApiConfig) -> Arc<Hub> {
        let hub = Arc::new(Hub { app, config, conns: RwLock::new(HashMap::new()), next_id: AtomicU64::new(1), count: AtomicUsize::new(0) });
        let rx = bus.rx.lock().expect("hub bus lock").take();
        if let Some(rx) = rx {
            tokio::spawn(run(hub.clone(), bus, rx));
        }
        hub
    }

    /// Sockets one user has open.
    pub fn user_connection_count(&self, user: &UserId) -> usize {
        self.conns.read().expect("hub lock").get(user).map_or(0, Vec::len)
    }

    /// Connections currently open.
    pub fn connection_count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub(crate) fn register(self: &Arc<Self>, user: &UserId, session: &SessionId) -> (Arc<ConnHandle>, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(self.config.ws_queue.max(8));
        let handle = Arc::new(ConnHandle {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            user_id: user.clone(),
            session_id: session.clone(),
            tx,
            kicked: AtomicBool::new(false),
            kick: Notify::new(),
        });
        let first = {
            let mut conns = self.conns.write().expect("hub lock");
            let list = conns.entry(user.clone()).or_default();
            list.push(handle.clone());
            list.len() == 1
        };
        self.count.fetch_add(1, Ordering::Relaxed);
        if first {
            let (app, user) = (self.app.clone(), user.clone());
            tokio::spawn(async move {
                let _ = app.set_status_automatic(&user, "online").await;
            });
        }
        (handle, rx)
    }

    pub(crate) fn unregister(&self, handle: &ConnHandle) {
        let last = {
            let mut conns = self.conns.write().expect("hub lock");
            let Some(list) = conns.get_mut(&handle.user_id) else { return };
            let before = list.len();
            list.retain(|h| h.id != handle.id);
            if list.len() == before {
                return;
            }
            let empty = list.is_empty();
            if empty {
                conns.remove(&handle.user_id);
            }
            empty
        };
        self.count.fetch_sub(1, Ordering::Relaxed);
        if last {
            let (app, user) = (self.app.clone(), handle.user_id.clone());
            tokio::spawn(async move {
                let _ = app.set_status_automatic(&user, "offline").await;
            });
        }
    }

    fn is_connected(&self, user: &UserId) -> bool {
        self.conns.read().expect("hub lock").contains_key(user)
    }

    fn connected_users(&self) -> Vec<UserId> {
        self.conns.read().expect("hub lock").keys().cloned().collect()
    }

    fn send_to(&self, users: &[UserId], frame: &Arc<str>, omit: Option<&UserId>) {
        let conns = self.conns.read().expect("hub lock");
        for user in users {
            if Some(user) == omit {
                continue;
            }
            if let Some(list) = conns.get(user) {
                for h in list {
                    h.send(frame);
                }
            }
        }
    }

    fn close_where(&self, pred: impl Fn(&ConnHandle) -> bool) {
        let conns = self.conns.read().expect("hub lock");
        for h in conns.values().flatten() {
            if pred(h) {
                h.close();
            }
        }
    }

    async fn deliver(&self, event: &Event) -> domain::Result<()> {
        match &event.kind {
            EventKind::SessionRevoked { session_id } => {
                self.close_where(|h| &h.session_id == session_id);
                return Ok(());
            }
            EventKind::UserDeactivated { user_id } => {
                self.close_where(|h| &h.user_id == user_id);
                return Ok(());
            }
            _ => {}
        }
        if self.connection_count() == 0 {
            return Ok(());
        }
        let Some(frame) = events::frame(event) else { return Ok(()) };
        let recipients: Vec<UserId> = match &event.audience {
            Audience::User(u) => vec![u.clone()],
            Audience::All => self.connected_users(),
            Audience::Team(team) => {
                let connected = self.connected_users();
                let members = self.app.store.team_members(team, 0, i64::MAX).await?;
                connected.into_iter().filter(|u| members.iter().any(|m| &m.user_id == u && m.is_active())).collect()
            }
            Audience::Channel(channel_id) => {
                let channel = match &event.kind {
                    EventKind::Posted { channel, .. } => Some(channel.clone()),
                    _ => self.app.store.get_channel(channel_id).await?,
                };
                let Some(channel) = channel else { return Ok(()) };
                self.app.channel_readers(&channel, |u| self.is_connected(u)).await?
            }
        };
        self.send_to(&recipients, &frame, event.omit_user.as_ref());
        Ok(())
    }
}

async fn run(hub: Arc<Hub>, bus: Arc<HubBus>, mut rx: mpsc::Receiver<Arc<Event>>) {
    while let Some(event) = rx.recv().await {
        if bus.overflowed.swap(false, Ordering::Relaxed) {
            tracing::warn!("event queue overflowed; disconnecting all sockets so clients resync");
            hub.close_where(|_| true);
        }
        if let Err(e) = hub.deliver(&event).await {
            // Failing to read membership must not leak: drop the event; clients resync.
            tracing::error!(error = %e, "event delivery failed");
        }
    }
}

impl Hub {
    /// Closes every socket (shutdown); clients reconnect and resync.
    pub fn disconnect_all(&self) {
        self.close_where(|_| true);
    }
}
