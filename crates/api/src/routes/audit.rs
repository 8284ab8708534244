//! `/audits`: the audit log for system administrators, as JSON or as JSON lines.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Params};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::model::AuditEntry;
use serde_json::{Value, json};
use std::sync::Arc;

pub fn entry_json(e: &AuditEntry) -> Value {
    json!({"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail, "ip": e.ip})
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let entries = state.app.audit_log(Some(&auth.principal), params.int("after", 0), params.int("limit", 200).clamp(1, 10_000)).await?;
    Ok(Json(entries.iter().map(entry_json).collect()))
}

/// The whole log (or from `after`) as JSON lines, for archiving and SIEM import.
pub async fn export(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Response> {
    let mut after = params.int("after", 0);
    let max = params.int("limit", 100_000).clamp(1, 1_000_000);
    let mut out = String::new();
    let mut n = 0;
    while n < max {
        let page = state.app.audit_log(Some(&auth.principal), after, (max - n).min(10_000)).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            out.push_str(&entry_json(e).to_string());
            out.push('\n');
        }
        n += page.len() as i64;
        after = page.last().map_or(after, |e| e.seq);
    }
    state.app.audit(Some(&auth.principal), "audit.export", "audit_log", json!({"entries": n})).await?;
    let mut resp = out.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    Ok(resp)
}
