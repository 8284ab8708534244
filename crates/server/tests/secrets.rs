//! Secrets never appear in logs or the audit trail: canary passwords, session tokens and feed
//! keys are planted through every path that handles them, with debug logging on, and then
//! searched for in everything the server wrote.

use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

const CANARY_PASSWORD: &str = "CANARY-pw-6f1d2c9a-zebra-quartz";
const WRONG_CANARY: &str = "CANARY-wrong-8e2b41f0-lemon-drift";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_or_audit() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_path = data.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let bin = env!("CARGO_BIN_EXE_conclave");
    let mut child = Command::new(bin)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data.path())
        .env("CONCLAVE_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/api/v4");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{base}/system/ping")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let r = http
        .post(format!("{base}/users"))
        .json(&json!({"username": "alice", "email": "alice@acme.example", "password": CANARY_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for _ in 0..3 {
        http.post(format!("{base}/users/login")).json(&json!({"login_id": "alice", "password": WRONG_CANARY})).send().await.unwrap();
    }
    let r = http.post(format!("{base}/users/login")).json(&json!({"login_id": "alice", "password": CANARY_PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let token = r.headers()["token"].to_str().unwrap().to_owned();
    let csrf: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| c.starts_with("MMCSRF="))
        .map(|c| c[7..33].to_owned())
        .collect();
    // Use the token through the header, the cookie and the socket challenge; change the
    // password (old and new are both canaries) and create a feed key.
    http.get(format!("{base}/users/me")).bearer_auth(&token).send().await.unwrap();
    http.get(format!("{base}/users/me")).header("cookie", format!("MMAUTHTOKEN={token}")).send().await.unwrap();
    let new_password = format!("{CANARY_PASSWORD}-new");
    let r = http
        .put(format!("{base}/users/me/password"))
        .bearer_auth(&token)
        .json(&json!({"current_password": CANARY_PASSWORD, "new_password": new_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r =
        http.post(format!("{base}/intel/feed_keys")).bearer_auth(&token).json(&json!({"name": "siem", "tlp_ceiling": "GREEN"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let feed_key = r.json::<serde_json::Value>().await.unwrap()["key"].as_str().unwrap().to_owned();
    http.get(format!("http://127.0.0.1:{port}/feeds/ipv4.txt")).basic_auth("x", Some(&feed_key)).send().await.unwrap();
    http.get(format!("http://127.0.0.1:{port}/feeds/ipv4.txt")).bearer_auth(format!("{feed_key}x")).send().await.unwrap();
    let audit = http.get(format!("{base}/audits/export")).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
    assert!(audit.contains("login.failure") && audit.contains("feed_key.create"), "the audit log is not recording: {audit}");
    let _ = child.kill();
    let _ = child.wait();

    let logs = std::fs::read_to_string(&log_path).unwrap();
    let db = std::fs::read(data.path().join("conclave.db")).unwrap_or_default();
    let db_text = String::from_utf8_lossy(&db);
    let mut canaries = vec![CANARY_PASSWORD.to_owned(), WRONG_CANARY.to_owned(), new_password, token.clone(), feed_key.clone()];
    canaries.extend(csrf);
    let mut hits = 0;
    for canary in &canaries {
        for (place, text) in [("server log", logs.as_str()), ("audit log", audit.as_str()), ("database file", &db_text)] {
            if text.contains(canary.as_str()) {
                eprintln!("secret found in {place}: {}…", &canary[..8.min(canary.len())]);
                hits += 1;
            }
        }
    }
    println!("secrets canaries: planted={} places=3 log_bytes={} audit_lines={} hits={hits}", canaries.len(), logs.len(), audit.lines().count());
    let report = json!({"canaries": canaries.len(), "places": ["server log", "audit log", "database file"], "log_bytes": logs.len(), "audit_lines": audit.lines().count(), "hits": hits});
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("secrets.json"), serde_json::to_string_pretty(&report).unwrap_or_default());
    assert_eq!(hits, 0);
}
