//! TAXII object endpoints: objects, manifest, single objects, versions, contributions and
//! their status.
//!
//! Paging follows the STIX log's position (`seq`), whose `date_added` strictly increases, so
//! `added_after` is exact and exclusive and no object is returned twice or skipped. The
//! `next` cursor is self-contained (position plus a digest of the filters), survives
//! restarts, and is refused if the filters change between pages.

use super::{Feed, STIX_MEDIA, TaxiiError, TaxiiResult, taxii_json};
use crate::AppState;
use crate::extract::Params;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use domain::model::StixRecord;
use domain::ports::StixQuery;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// RFC 3339 with microseconds, the precision `date_added` needs to be strictly increasing.
pub fn format_micros(us: i64) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.microsecond()
    )
}

fn parse_time(s: &str) -> Option<i64> {
    let dt = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
    Some((dt.unix_timestamp_nanos() / 1000) as i64)
}

fn list_param(params: &Params, name: &str) -> Vec<String> {
    params.str(name).map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

/// The filters of a request, and their digest for the cursor.
struct Filters {
    query: StixQuery,
    digest: String,
    /// `match[spec_version]` named only versions we do not have.
    empty: bool,
}

fn filters(params: &Params, collection: &str, object: Option<&str>) -> TaxiiResult<Filters> {
    let mut q = StixQuery::default();
    if let Some(after) = params.str("added_after") {
        q.added_after = Some(parse_time(after).ok_or_else(|| TaxiiError::bad_request("added_after must be an RFC 3339 timestamp"))?);
    }
    q.ids = match object {
        Some(id) => vec![id.to_owned()],
        None => list_param(params, "match[id]"),
    };
    q.types = list_param(params, "match[type]");
    // Values are ORed: `first,last` is both ends, `last,<timestamp>` the latest and that one.
    let versions = list_param(params, "match[version]");
    for v in &versions {
        if !matches!(v.as_str(), "all" | "first" | "last") && parse_time(v).is_none() {
            return Err(TaxiiError::bad_request("match[version] takes last, first, all or timestamps"));
        }
    }
    if versions.iter().any(|v| v == "all") {
        q.versions = Some(Vec::new());
    } else if versions.len() == 1 && versions[0] == "first" {
        q.first_only = true;
    } else if !versions.is_empty() && versions != ["last"] {
        q.versions = Some(versions.clone());
    }
    let spec = list_param(params, "match[spec_version]");
    let empty = !spec.is_empty() && !spec.iter().any(|s| s == "2.1");
    let canonical =
        format!("{collection}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}", q.added_after, q.ids, q.types, q.versions, spec, q.first_only, object.unwrap_or(""));
    let digest = canonical.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
    Ok(Filters { query: q, digest: format!("{digest:016x}"), empty })
}

fn encode_cursor(seq: i64, digest: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1:{seq}:{digest}"))
}

fn decode_cursor(token: &str, digest: &str) -> TaxiiResult<i64> {
    let bad = || TaxiiError::bad_request("next is not a cursor issued for this request's filters");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.split(':');
    match (parts.next(), parts.next().and_then(|s| s.parse::<i64>().ok()), parts.next()) {
        (Some("v1"), Some(seq), Some(d)) if d == digest && seq >= 0 => Ok(seq),
        _ => Err(bad()),
    }
}

/// Reads one page of records for a collection, honouring `limit` and `next`.
async fn page(
    state: &AppState,
    feed: &domain::services::feeds::FeedPrincipal,
    collection: &str,
    object: Option<&str>,
    params: &Params,
) -> TaxiiResult<(Vec<StixRecord>, Option<String>)> {
    let c = state.app.feed_collection(feed, collection).await.map_err(|_| TaxiiError::not_found("collection"))?;
    if !feed.may_read(&c) || c.can_write {
        return Err(TaxiiError::new(StatusCode::FORBIDDEN, "Forbidden", "This collection cannot be read with this key."));
    }
    let f = filters(params, &c.id, object)?;
    if f.empty {
        return Ok((Vec::new(), None));
    }
    let limit = match params.str("limit") {
        Some(l) => {
            l.parse::<i64>().ok().filter(|l| *l > 0).ok_or_else(|| TaxiiError::bad_request("limit must be a positive integer"))?.min(MAX_LIMIT)
        }
        None => DEFAULT_LIMIT,
    };
    let mut q = f.query;
    if let Some(next) = params.str("next").filter(|s| !s.is_empty()) {
        q.after_seq = decode_cursor(next, &f.digest)?;
    }
    q.limit = limit + 1;
    let mut rows = state.app.collection_objects(feed, &c, q).await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(r.seq, &f.digest))
    } else {
        None
    };
    Ok((rows, next))
}

fn with_date_headers(mut resp: Response, rows: &[StixRecord]) -> Response {
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&format_micros(first.date_added)) {
            h.insert("x-taxii-date-added-first", v);
        }
        if let Ok(v) = HeaderValue::from_str(&format_micros(last.date_added)) {
            h.insert("x-taxii-date-added-last", v);
        }
    }
    resp
}

fn envelope(rows: &[StixRecord], next: Option<String>) -> Value {
    let objects: Vec<Value> = rows.iter().filter_map(|r| serde_json::from_str(&r.body).ok()).collect();
    let mut env = json!({"more": next.is_some(), "objects": objects});
    if let Some(n) = next {
        env["next"] = json!(n);
    }
    env
}

pub async fn objects(State(state): State<Arc<AppState>>, Feed(feed): Feed, Path(id): Path<String>, params: Params) -> TaxiiResult<Response> {
    let (rows, next) = page(&state, &feed, &id, None, &params).await?;
    Ok(with_date_headers(taxii_json(StatusCode::OK, &envelope(&rows, next)), &rows))
}

pub async fn object(
    State(state): State<Arc<AppState>>,
    Feed(feed): Feed,
    Path((id, object_id)): Path<(String, String)>,
    params: Params,
) -> TaxiiResult<Response> {
    let (rows, next) = page(&state, &feed, &id, Some(&object_id), &params).await?;
    if rows.is_empty() && params.str("next").is_none() {
        return Err(TaxiiError::not_found("object"));
    }
    Ok(with_date_headers(taxii_json(StatusCode::OK, &envelope(&rows, next)), &rows))
}

pub async fn manifest(State(state): State<Arc<AppState>>, Feed(feed): Feed, Path(id): Path<String>, params: Params) -> TaxiiResult<Response> {
    let (rows, next) = page(&state, &feed, &id, None, &params).await?;
    let objects: Vec<Value> = rows
        .iter()
        .map(|r| json!({"id": r.stix_id, "date_added": format_micros(r.date_added), "version": r.version, "media_type": STIX_MEDIA}))
        .collect();
    let mut env = json!({"more": next.is_some(), "objects": objects});
    if let Some(n) = next {
        env["next"] = json!(n);
    }
    Ok(with_date_headers(taxii_json(StatusCode::OK, &env), &rows))
}

pub async fn versions(
    State(state): State<Arc<AppState>>,
    Feed(feed): Feed,
    Path((id, object_id)): Path<(String, String)>,
    params: Params,
) -> TaxiiResult<Response> {
    let mut all = params.0.clone();
    all.insert("match[version]".into(), "all".into());
    let (rows, next) = page(&state, &feed, &id, Some(&object_id), &Params(all)).await?;
    if rows.is_empty() && params.str("next").is_none() {
        return Err(TaxiiError::not_found("object"));
    }
    let mut env = json!({"more": next.is_some(), "versions": rows.iter().map(|r| r.version.clone()).collect::<Vec<_>>()});
    if let Some(n) = next {
        env["next"] = json!(n);
    }
    Ok(with_date_headers(taxii_json(StatusCode::OK, &env), &rows))
}

/// Objects are never deleted from a shared collection: consumers are told to drop them by a
/// revoked version instead.
pub async fn delete_object(
    State(state): State<Arc<AppState>>,
    Feed(feed): Feed,
    Path((id, _object)): Path<(String, String)>,
) -> TaxiiResult<Response> {
    state.app.feed_collection(&feed, &id).await.map_err(|_| TaxiiError::not_found("collection"))?;
    Err(TaxiiError::new(StatusCode::FORBIDDEN, "Forbidden", "Objects are withdrawn by revocation, not deleted."))
}

/// `POST …/objects/`: members contribute indicators to the inbox collection; they are posted
/// to the contributions channel, where capture puts them in the analysts' queue.
pub async fn add_objects(
    State(state): State<Arc<AppState>>,
    Feed(feed): Feed,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> TaxiiResult<Response> {
    let c = state.app.feed_collection(&feed, &id).await.map_err(|_| TaxiiError::not_found("collection"))?;
    if !(c.can_write && feed.can_write) {
        return Err(TaxiiError::new(StatusCode::FORBIDDEN, "Forbidden", "This key cannot write to this collection."));
    }
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").replace(' ', "").to_ascii_lowercase();
    let mut parts = ct.split(';');
    let media_ok = parts.next() == Some("application/taxii+json");
    // Only TAXII 2.1 envelopes: a body declared as another version is not ours to read.
    let version_ok = parts.all(|p| p.strip_prefix("version=").is_none_or(|v| v == "2.1"));
    if !(media_ok && version_ok) {
        return Err(TaxiiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            format!("POST bodies must be {}", super::TAXII_MEDIA),
        ));
    }
    // A body over `max_content_length` gets TAXII's error body, like every other refusal.
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => TaxiiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Content too large",
            format!("Bodies are limited to {} bytes (max_content_length).", super::MAX_CONTENT),
        ),
        _ => TaxiiError::bad_request("the body could not be read"),
    })?;
    let envelope: Value = serde_json::from_slice(&body).map_err(|_| TaxiiError::bad_request("the body is not a TAXII envelope"))?;
    let objects = envelope.get("objects").and_then(Value::as_array).ok_or_else(|| TaxiiError::bad_request("the envelope has no objects"))?;
    if objects.len() > 1000 {
        return Err(TaxiiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Content too large", "At most 1000 objects per request."));
    }
    let items: Vec<(String, String, String)> = objects
        .iter()
        .map(|o| {
            let sid = o.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
            let version = o.get("modified").or_else(|| o.get("created")).and_then(Value::as_str).unwrap_or("").to_owned();
            let text = ["pattern", "value", "name"].iter().filter_map(|k| o.get(*k).and_then(Value::as_str)).collect::<Vec<_>>().join(" ");
            (sid, version, text)
        })
        .collect();
    let results = state.app.contribute(&feed, &items).await?;
    let now_us = state.app.now() * 1000;
    let (mut successes, mut failures) = (Vec::new(), Vec::new());
    for (sid, version, outcome) in results {
        match outcome {
            Ok(()) => successes.push(json!({"id": sid, "version": version})),
            Err(message) => failures.push(json!({"id": sid, "version": version, "message": message})),
        }
    }
    let status_id = uuid_like(&state.app.now().to_string(), &feed.key_id);
    let status = json!({
        "id": status_id,
        "status": "complete",
        "request_timestamp": format_micros(now_us),
        "total_count": successes.len() + failures.len(),
        "success_count": successes.len(),
        "successes": successes,
        "failure_count": failures.len(),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    });
    state.app.store.save_taxii_status(&status_id, &feed.key_id, state.app.now(), &status.to_string()).await?;
    Ok(taxii_json(StatusCode::ACCEPTED, &status))
}

pub async fn status(State(state): State<Arc<AppState>>, Feed(feed): Feed, Path(id): Path<String>) -> TaxiiResult<Response> {
    let body = state.app.store.taxii_status(&id, &feed.key_id).await?.ok_or_else(|| TaxiiError::not_found("status"))?;
    let v: Value = serde_json::from_str(&body).unwrap_or_default();
    Ok(taxii_json(StatusCode::OK, &v))
}

/// A random UUID-shaped id for status resources.
fn uuid_like(_a: &str, _b: &str) -> String {
    let r = domain::ids::random_bytes::<16>();
    let h: String = r.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-4{}-8{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}
