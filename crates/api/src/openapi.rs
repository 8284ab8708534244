//! The OpenAPI 3.0 document of the routes Conclave serves, served at
//! `GET /api/v4/openapi.json` and generated from the gate table (`routes/gates.rs`), so a route
//! cannot be served without being described. Path parameters come from the path; the request
//! bodies of the main JSON routes are in [`BODIES`]; every operation answers its success media
//! type or, for a refusal, Mattermost's AppError shape. `scripts/stages/fuzz` points
//! schemathesis at this document.

use crate::routes::gates::{Gate, ROUTES, RouteGate};
use axum::Json;
use serde_json::{Map, Value, json};

/// Request bodies of the JSON routes, by method and path.
const BODIES: &[(&str, &str, &str)] = &[
    ("POST", "/api/v4/users", "NewUser"),
    ("POST", "/api/v4/users/login", "Login"),
    ("POST", "/api/v4/users/ids", "Ids"),
    ("POST", "/api/v4/users/usernames", "Names"),
    ("POST", "/api/v4/users/search", "UserSearch"),
    ("POST", "/api/v4/users/status/ids", "Ids"),
    ("POST", "/api/v4/roles/names", "Names"),
    ("PUT", "/api/v4/users/{user_id}", "UserPatch"),
    ("PUT", "/api/v4/users/{user_id}/patch", "UserPatch"),
    ("PUT", "/api/v4/users/{user_id}/active", "Active"),
    ("PUT", "/api/v4/users/{user_id}/roles", "Roles"),
    ("PUT", "/api/v4/users/{user_id}/password", "Password"),
    ("PUT", "/api/v4/users/{user_id}/status", "Status"),
    ("POST", "/api/v4/users/{user_id}/sessions/revoke", "SessionRef"),
    ("PUT", "/api/v4/users/{user_id}/preferences", "Preferences"),
    ("POST", "/api/v4/users/{user_id}/preferences/delete", "Preferences"),
    ("POST", "/api/v4/teams", "NewTeam"),
    ("PUT", "/api/v4/teams/{team_id}", "TeamPatch"),
    ("PUT", "/api/v4/teams/{team_id}/patch", "TeamPatch"),
    ("POST", "/api/v4/teams/{team_id}/members", "UserRef"),
    ("POST", "/api/v4/teams/{team_id}/members/batch", "UserRefs"),
    ("POST", "/api/v4/teams/{team_id}/members/ids", "Ids"),
    ("PUT", "/api/v4/teams/{team_id}/members/{user_id}/roles", "Roles"),
    ("POST", "/api/v4/teams/{team_id}/channels/ids", "Ids"),
    ("POST", "/api/v4/teams/{team_id}/channels/search", "Term"),
    ("POST", "/api/v4/teams/{team_id}/posts/search", "PostSearch"),
    ("POST", "/api/v4/channels", "NewChannel"),
    ("POST", "/api/v4/channels/direct", "Ids"),
    ("POST", "/api/v4/channels/group", "Ids"),
    ("POST", "/api/v4/channels/members/{user_id}/view", "View"),
    ("POST", "/api/v4/channels/members/{user_id}/mark_read", "Ids"),
    ("PUT", "/api/v4/channels/{channel_id}", "ChannelPatch"),
    ("PUT", "/api/v4/channels/{channel_id}/patch", "ChannelPatch"),
    ("PUT", "/api/v4/channels/{channel_id}/privacy", "Privacy"),
    ("POST", "/api/v4/channels/{channel_id}/members", "UserRef"),
    ("POST", "/api/v4/channels/{channel_id}/members/ids", "Ids"),
    ("PUT", "/api/v4/channels/{channel_id}/members/{user_id}/roles", "Roles"),
    ("PUT", "/api/v4/channels/{channel_id}/members/{user_id}/notify_props", "Props"),
    ("POST", "/api/v4/posts", "NewPost"),
    ("POST", "/api/v4/posts/ids", "Ids"),
    ("POST", "/api/v4/posts/ids/reactions", "Ids"),
    ("POST", "/api/v4/posts/search", "PostSearch"),
    ("PUT", "/api/v4/posts/{post_id}", "PostPatch"),
    ("PUT", "/api/v4/posts/{post_id}/patch", "PostPatch"),
    ("POST", "/api/v4/reactions", "Reaction"),
    ("POST", "/api/v4/intel/indicators/{indicator_id}/review", "Review"),
    ("POST", "/api/v4/intel/extract", "Extract"),
    ("POST", "/api/v4/intel/feed_keys", "NewFeedKey"),
    ("POST", "/api/v4/intel/collections", "NewCollection"),
];

fn schemas() -> Value {
    let s = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required});
    let string = json!({"type": "string"});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    json!({
        "AppError": s(json!({
            "id": string, "message": string, "detailed_error": string,
            "request_id": string, "status_code": {"type": "integer"}
        }), &["id", "message", "detailed_error", "request_id", "status_code"]),
        "Ids": strings,
        "Names": strings,
        "NewUser": s(json!({"username": string, "email": string, "password": string, "organization": string}), &["username", "email", "password"]),
        "Login": s(json!({"login_id": string, "password": string}), &["login_id", "password"]),
        "UserSearch": s(json!({"term": string, "team_id": string, "in_channel_id": string}), &["term"]),
        "UserPatch": s(json!({"nickname": string, "first_name": string, "last_name": string, "position": string}), &[]),
        "Active": s(json!({"active": {"type": "boolean"}}), &["active"]),
        "Roles": s(json!({"roles": string}), &["roles"]),
        "Password": s(json!({"current_password": string, "new_password": string}), &["new_password"]),
        "Status": s(json!({"user_id": string, "status": {"type": "string", "enum": ["online", "away", "dnd", "offline"]}}), &["status"]),
        "SessionRef": s(json!({"session_id": string}), &["session_id"]),
        "Preferences": {"type": "array", "items": s(json!({"user_id": string, "category": string, "name": string, "value": string}), &["category", "name"])},
        "NewTeam": s(json!({"name": string, "display_name": string, "type": {"type": "string", "enum": ["O", "I"]}, "default_tlp": string}), &["name", "display_name", "type"]),
        "TeamPatch": s(json!({"display_name": string, "description": string, "allow_open_invite": {"type": "boolean"}}), &[]),
        "UserRef": s(json!({"user_id": string, "team_id": string}), &["user_id"]),
        "UserRefs": {"type": "array", "items": s(json!({"user_id": string, "team_id": string}), &["user_id"])},
        "Term": s(json!({"term": string}), &["term"]),
        "PostSearch": s(json!({"terms": string, "is_or_search": {"type": "boolean"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}), &["terms"]),
        "NewChannel": s(json!({"team_id": string, "name": string, "display_name": string, "type": {"type": "string", "enum": ["O", "P"]}, "purpose": string, "header": string, "tlp": string}), &["team_id", "name", "display_name", "type"]),
        "View": s(json!({"channel_id": string, "prev_channel_id": string}), &["channel_id"]),
        "ChannelPatch": s(json!({"display_name": string, "header": string, "purpose": string, "tlp": string, "intel_mode": string}), &[]),
        "Privacy": s(json!({"privacy": {"type": "string", "enum": ["O", "P"]}}), &["privacy"]),
        "Props": {"type": "object"},
        "NewPost": s(json!({"channel_id": string, "message": string, "root_id": string, "file_ids": strings, "pending_post_id": string}), &["channel_id", "message"]),
        "PostPatch": s(json!({"message": string, "is_pinned": {"type": "boolean"}}), &[]),
        "Reaction": s(json!({"user_id": string, "post_id": string, "emoji_name": string}), &["user_id", "post_id", "emoji_name"]),
        "Review": s(json!({"action": {"type": "string", "enum": ["confirm", "reject", "revoke"]}, "confidence": {"type": "integer"}, "tags": strings, "tlp": string, "reason": string}), &["action"]),
        "Extract": s(json!({"text": string}), &["text"]),
        "NewFeedKey": s(json!({"name": string, "tlp_ceiling": string, "collections": strings, "can_write": {"type": "boolean"}}), &["name", "tlp_ceiling"]),
        "NewCollection": s(json!({"alias": string, "title": string, "tlp_ceiling": string, "tags": strings}), &["alias", "tlp_ceiling"]),
    })
}

/// The media types a route answers with when it succeeds.
fn success_media(route: &RouteGate) -> &'static [&'static str] {
    let p = route.path;
    if p.starts_with("/taxii2") {
        &["application/taxii+json;version=2.1"]
    } else if p.starts_with("/feeds") {
        &["text/plain; charset=utf-8", "text/csv; charset=utf-8"]
    } else if p.ends_with("/image") || p.ends_with("/image/default") {
        &["image/png"]
    } else if p.starts_with("/api/v4/files/{file_id}") && !p.ends_with("/info") && !p.ends_with("/link") {
        &["*/*"]
    } else if p == "/api/v4/audits/export" {
        &["application/x-ndjson", "application/json"]
    } else {
        &["application/json"]
    }
}

fn error_response(route: &RouteGate, what: &str) -> Value {
    if route.path.starts_with("/api/v4") {
        json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppError"}}}})
    } else {
        json!({"description": what})
    }
}

/// Mattermost ids are 26 characters of lower-case base32; describing them lets a fuzzer reach
/// past the id check into the handlers (`me` is accepted too, but only where a user is meant).
fn param_schema(route: &RouteGate, name: &str) -> Value {
    let id = name.ends_with("_id") && route.path.starts_with("/api/v4") && name != "indicator_id";
    if id { json!({"type": "string", "pattern": "^[a-z0-9]{26}$"}) } else { json!({"type": "string"}) }
}

fn operation(route: &RouteGate) -> Value {
    let params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": param_schema(route, name)}))
        .collect();
    let content: Map<String, Value> = success_media(route).iter().map(|m| ((*m).to_owned(), json!({}))).collect();
    let mut responses = json!({
        "2XX": {"description": "Success", "content": content},
        "4XX": error_response(route, "Refused: bad input, not signed in, not allowed, not found, or rate limited"),
    });
    if route.gates.contains(&Gate::Disabled) {
        responses["501"] = error_response(route, "The feature is disabled on this server");
    }
    if route.method == "GET" && (route.path.ends_with("/posts") || route.path.starts_with("/feeds")) {
        responses["304"] = json!({"description": "Not modified (If-None-Match)"});
    }
    let gates: Vec<String> = route.gates.iter().map(|g| format!("{g:?}")).collect();
    let id = format!("{}{}", route.method.to_ascii_lowercase(), route.path.replace(['{', '}', '.'], "").replace(['/', '-'], "_"));
    let mut op = json!({
        "operationId": id,
        "summary": format!("Gate: {}", gates.join(" + ")),
        "parameters": params,
        "responses": responses,
    });
    if route.gates.iter().all(|g| *g == Gate::Anonymous) {
        op["security"] = json!([]);
    }
    if let Some((_, _, schema)) = BODIES.iter().find(|(m, p, _)| *m == route.method && *p == route.path) {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    op
}

/// The whole document.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method.to_ascii_lowercase()] = operation(route);
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Conclave", "version": crate::MM_VERSION, "description": "Mattermost API v4 compatible chat server with intel sharing (TAXII 2.1, feeds)."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    })
}

/// `GET /api/v4/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described_with_its_path_parameters() {
        let doc = spec();
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method.to_ascii_lowercase()];
            assert!(op.is_object(), "{} {} missing", route.method, route.path);
            let declared = op["parameters"].as_array().unwrap().len();
            assert_eq!(declared, route.path.matches('{').count(), "{} {}", route.method, route.path);
            assert!(op["responses"]["4XX"].is_object());
        }
        for (method, path, schema) in BODIES {
            assert!(ROUTES.iter().any(|r| r.method == *method && r.path == *path), "body for unknown route {method} {path}");
            assert!(doc["components"]["schemas"][schema].is_object() || doc["components"]["schemas"][schema].is_array(), "{schema}");
        }
    }
}
