//! WebSocket clients: connect (optionally from a chosen loopback source address),
//! authenticate with `authentication_challenge`, and wait for `hello`.

use futures_util::{SinkExt, StreamExt};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{WebSocketStream, client_async};

pub type Socket = WebSocketStream<TcpStream>;

/// Opens an authenticated socket and returns it once `hello` has arrived.
pub async fn connect(port: u16, token: &str, source: Option<IpAddr>) -> Result<Socket, String> {
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let socket = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0)).map_err(|e| format!("bind {ip}: {e}"))?;
    }
    let tcp = socket.connect(server).await.map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut ws, _) = client_async(format!("ws://127.0.0.1:{port}/api/v4/websocket"), tcp).await.map_err(|e| format!("websocket upgrade: {e}"))?;
    let challenge = serde_json::json!({"seq": 1, "action": "authentication_challenge", "data": {"token": token}});
    ws.send(Message::text(challenge.to_string())).await.map_err(|e| format!("send challenge: {e}"))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next()).await.map_err(|_| "no hello within 30 s".to_string())?;
        match next {
            Some(Ok(Message::Text(t))) if t.as_str().contains("\"event\":\"hello\"") => return Ok(ws),
            Some(Ok(Message::Text(t))) if t.as_str().contains("\"status\":\"FAIL\"") => return Err(format!("authentication failed: {}", t.as_str())),
            Some(Ok(Message::Close(f))) => return Err(format!("closed during authentication: {f:?}")),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(format!("websocket error during authentication: {e}")),
            None => return Err("closed during authentication".into()),
        }
    }
}

/// Source addresses 127.0.0.1 … 127.0.0.n, used round-robin so that many sockets do not
/// exhaust one address's ephemeral ports.
pub fn sources(n: u8) -> Vec<IpAddr> {
    (1..=n.max(1)).map(|i| IpAddr::from([127, 0, 0, i])).collect()
}
