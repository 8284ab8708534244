//! One WebSocket connection: authentication, `hello`, numbered events, client actions,
//! keep-alive and close.

use super::{ConnHandle, Outbound};
use crate::AppState;
use crate::error::{ApiError, app_error_response};
use crate::extract::token_from_parts;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::model::Session;
use domain::policy::Principal;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long an unauthenticated socket may wait before sending its challenge.
const AUTH_DEADLINE: Duration = Duration::from_secs(5);
/// Server pings this often; a client silent for [`IDLE_LIMIT`] is gone.
const PING_EVERY: Duration = Duration::from_secs(30);
const IDLE_LIMIT: Duration = Duration::from_secs(100);

/// Whether the browser origin may open a socket: same host as the request, the site URL, or
/// a configured origin. Clients that send no `Origin` (bots, mobile) are not browsers and
/// authenticate by token.
fn origin_allowed(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) else { return true };
    let origin = origin.trim_end_matches('/');
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    origin_host.eq_ignore_ascii_case(host)
        || origin.eq_ignore_ascii_case(state.config.site_url.trim_end_matches('/'))
        || state.config.allowed_origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

/// `GET /api/v4/websocket`.
pub async fn upgrade(State(state): State<Arc<AppState>>, req: axum::extract::Request) -> Response {
    let (mut parts, _body) = req.into_parts();
    if !origin_allowed(&parts.headers, &state) {
        return app_error_response(StatusCode::FORBIDDEN, "api.web_socket.connect.origin.app_error", "The WebSocket origin is not allowed.");
    }
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(_) => {
            return app_error_response(StatusCode::BAD_REQUEST, "api.web_socket.connect.upgrade.app_error", "Expected a WebSocket upgrade request.");
        }
    };
    // A token on the upgrade request authenticates the socket at once; otherwise the client
    // must send an authentication challenge.
    let auth = match token_from_parts(&parts) {
        Some((token, _)) => match state.app.authenticate(&token).await {
            Ok(found) => Some(found),
            Err(e) => return ApiError(e).into_response(),
        },
        None => None,
    };
    let max = state.config.ws_max_message;
    ws.max_message_size(max).max_frame_size(max).read_buffer_size(4096).write_buffer_size(0).on_upgrade(move |socket| run(socket, state, auth))
}

fn reply(seq_reply: i64, data: Option<Value>) -> String {
    let mut v = json!({"status": "OK", "seq_reply": seq_reply});
    if let Some(d) = data {
        v["data"] = d;
    }
    v.to_string()
}

fn fail(seq_reply: i64, id: &str, message: &str) -> String {
    json!({"status": "FAIL", "seq_reply": seq_reply, "error": {"id": id, "message": message}}).to_string()
}

struct Action {
    seq: i64,
    name: String,
    data: Value,
}

fn parse_action(text: &str) -> Option<Action> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some(Action {
        seq: v.get("seq").and_then(Value::as_i64).unwrap_or(0),
        name: v.get("action")?.as_str()?.to_owned(),
        data: v.get("data").cloned().unwrap_or(Value::Null),
    })
}

async fn send_text(sink: &mut futures_util::stream::SplitSink<WebSocket, Message>, text: String) -> bool {
    sink.send(Message::Text(Utf8Bytes::from(text))).await.is_ok()
}

async fn close(sink: &mut futures_util::stream::SplitSink<WebSocket, Message>, code: u16, reason: &'static str) {
    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))).await;
}

async fn run(socket: WebSocket, state: Arc<AppState>, auth: Option<(Principal, Session)>) {
    let (mut sink, mut stream) = socket.split();
    let (principal, session) = match auth {
        Some(found) => found,
        None => match await_challenge(&mut sink, &mut stream, &state).await {
            Some(found) => found,
            None => {
                close(&mut sink, 1008, "authentication required").await;
                return;
            }
        },
    };
    if state.hub.user_connection_count(&principal.user_id) >= state.config.ws_per_user {
        close(&mut sink, 1008, "too many connections for this user").await;
        return;
    }
    let (handle, rx) = state.hub.register(&principal.user_id, &session.id);
    serve(&mut sink, &mut stream, &state, &principal, &session, &handle, rx).await;
    state.hub.unregister(&handle);
    let _ = sink.close().await;
}

/// Waits for `authentication_challenge`, answers it, and returns the session.
async fn await_challenge(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    state: &AppState,
) -> Option<(Principal, Session)> {
    let deadline = tokio::time::Instant::now() + AUTH_DEADLINE;
    loop {
        let msg = tokio::time::timeout_at(deadline, stream.next()).await.ok()??.ok()?;
        let Message::Text(text) = msg else { continue };
        let Some(action) = parse_action(&text) else { continue };
        if action.name != "authentication_challenge" {
            send_text(sink, fail(action.seq, "api.web_socket_router.not_authenticated.app_error", "The socket is not authenticated.")).await;
            continue;
        }
        let token = action.data.get("token").and_then(Value::as_str).unwrap_or("");
        match state.app.authenticate(token).await {
            Ok(found) => {
                send_text(sink, reply(action.seq, None)).await;
                return Some(found);
            }
            Err(_) => {
                send_text(sink, fail(action.seq, "api.web_socket_router.bad_token.app_error", "Invalid or expired session.")).await;
                return None;
            }
        }
    }
}

async fn serve(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    state: &Arc<AppState>,
    principal: &Principal,
    session: &Session,
    handle: &Arc<ConnHandle>,
    mut rx: mpsc::Receiver<Outbound>,
) {
    let connection_id = domain::ids::new_id();
    let hello = json!({
        "event": "hello",
        "data": {"server_version": format!("{}.0.0.false", crate::MM_VERSION), "connection_id": connection_id, "server_hostname": ""},
        "broadcast": {"omit_users": null, "user_id": principal.user_id.as_str(), "channel_id": "", "team_id": "", "connection_id": "", "omit_connection_id": ""},
        "seq": 0,
    });
    if !send_text(sink, hello.to_string()).await {
        return;
    }
    let mut seq: u64 = 1;
    let mut last_seen = Instant::now();
    let mut actions = ActionBudget::new(state.limits.ws_actions);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            out = rx.recv() => {
                let Some(Outbound::Frame(prefix)) = out else { break };
                let mut text = String::with_capacity(prefix.len() + 12);
                text.push_str(&prefix);
                text.push_str(&seq.to_string());
                text.push('}');
                seq += 1;
                if !send_text(sink, text).await { break; }
            }
            _ = handle.kick.notified() => {
                if handle.kicked.load(Ordering::Relaxed) {
                    close(sink, 4000, "reconnect and resync").await;
                    break;
                }
            }
            msg = stream.next() => {
                let Some(Ok(msg)) = msg else { break };
                last_seen = Instant::now();
                match msg {
                    Message::Text(text) => {
                        if let Some(action) = parse_action(&text) {
                            let answer = match actions.take() {
                                Budget::Ok => handle_action(state, principal, action).await,
                                Budget::Refused => fail(action.seq, "api.web_socket.rate_limited.app_error", "Too many requests on this socket."),
                                Budget::Abusive => {
                                    close(sink, 1008, "too many requests").await;
                                    break;
                                }
                            };
                            if !send_text(sink, answer).await { break; }
                        }
                    }
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            _ = ping.tick() => {
                if last_seen.elapsed() > IDLE_LIMIT || session.expires_at <= state.app.now() {
                    close(sink, 1001, "session ended or idle").await;
                    break;
                }
                if sink.send(Message::Ping(Default::default())).await.is_err() { break; }
            }
        }
    }
}

enum Budget {
    Ok,
    Refused,
    /// Refused many times in a row: the client is not backing off.
    Abusive,
}

/// A per-connection GCRA budget for client actions (no map needed: one key).
struct ActionBudget {
    interval: Option<Duration>,
    tolerance: Duration,
    tat: Instant,
    refused_in_a_row: u32,
}

impl ActionBudget {
    fn new(rate: crate::limits::Rate) -> Self {
        let interval = rate.enabled().then(|| Duration::from_secs_f64(1.0 / rate.per_second));
        let tolerance = interval.map(|i| i * rate.burst.saturating_sub(1)).unwrap_or_default();
        ActionBudget { interval, tolerance, tat: Instant::now(), refused_in_a_row: 0 }
    }

    fn take(&mut self) -> Budget {
        let Some(interval) = self.interval else { return Budget::Ok };
        let now = Instant::now();
        let tat = self.tat.max(now);
        if tat > now + self.tolerance {
            self.refused_in_a_row += 1;
            return if self.refused_in_a_row > 100 { Budget::Abusive } else { Budget::Refused };
        }
        self.tat = tat + interval;
        self.refused_in_a_row = 0;
        Budget::Ok
    }
}

/// Answers a client action. Replies carry `seq_reply` and do not use a sequence number.
async fn handle_action(state: &AppState, principal: &Principal, action: Action) -> String {
    match action.name.as_str() {
        "ping" => reply(
            action.seq,
            Some(json!({"text": "pong", "version": format!("{}.0.0.false", crate::MM_VERSION), "server_time": state.app.now(), "node_id": ""})),
        ),
        "authentication_challenge" => reply(action.seq, None),
        "user_typing" => {
            let channel = action.data.get("channel_id").and_then(Value::as_str).and_then(domain::ids::ChannelId::parse);
            let parent = action.data.get("parent_id").and_then(Value::as_str).unwrap_or("");
            match channel {
                Some(channel) => match state.app.typing(principal, &channel, parent).await {
                    Ok(()) => reply(action.seq, None),
                    Err(_) => fail(action.seq, "api.websocket_handler.invalid_param.app_error", "Invalid channel_id."),
                },
                None => fail(action.seq, "api.websocket_handler.invalid_param.app_error", "Invalid channel_id."),
            }
        }
        "get_statuses" | "get_statuses_by_ids" => {
            let ids: Vec<domain::ids::UserId> = action
                .data
                .get("user_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).filter_map(domain::ids::UserId::parse).take(1000).collect())
                .unwrap_or_default();
            match state.app.statuses(&ids).await {
                Ok(statuses) => {
                    let map: serde_json::Map<String, Value> =
                        statuses.into_iter().map(|s| (s.user_id.to_string(), Value::String(s.status))).collect();
                    reply(action.seq, Some(Value::Object(map)))
                }
                Err(_) => fail(action.seq, "api.websocket_handler.server_busy.app_error", "Try again."),
            }
        }
        // Presence hints and acks are accepted and need no answer beyond OK.
        "presence" | "user_update_active_status" | "posted_notify_ack" => reply(action.seq, None),
        _ => fail(action.seq, "api.web_socket_router.bad_action.app_error", "Unknown action."),
    }
}
