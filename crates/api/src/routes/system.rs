//! Server bootstrap endpoints clients call before and right after login: ping, client
//! configuration, license and roles.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, Params};
use axum::Json;
use axum::extract::{Path, State};
use domain::{Error, ErrorCode};
use serde_json::{Value, json};
use std::sync::Arc;

pub async fn ping(State(state): State<Arc<AppState>>, params: Params) -> Json<Value> {
    let mut body = json!({
        "status": "OK",
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "", "AndroidMinVersion": "", "IosLatestVersion": "", "IosMinVersion": "",
    });
    if params.flag("get_server_status") {
        let db_ok = state.app.store.count_users().await.is_ok();
        body["database_status"] = json!(if db_ok { "OK" } else { "UNHEALTHY" });
        body["filestore_status"] = json!("OK");
    }
    Json(body)
}

/// `GET /config/client?format=old`: every value a string, as Mattermost sends them. Nothing
/// here is secret, so anonymous and signed-in callers get the same map.
pub async fn client_config(State(state): State<Arc<AppState>>, params: Params) -> ApiResult<Json<Value>> {
    if params.str("format") != Some("old") {
        return Err(Error::invalid_param("format").into());
    }
    let s = &state.app.settings;
    let t = |b: bool| if b { "true" } else { "false" };
    Ok(Json(json!({
        "Version": crate::MM_VERSION,
        "BuildNumber": crate::MM_VERSION,
        "BuildHash": "conclave",
        "BuildDate": "",
        "BuildEnterpriseReady": "false",
        "SiteName": s.site_name,
        "SiteURL": state.config.site_url,
        "DiagnosticId": "",
        "TelemetryId": "",
        "DiagnosticsEnabled": "false",
        "EnableSignInWithEmail": "true",
        "EnableSignInWithUsername": "true",
        "EnableSignUpWithEmail": "true",
        "EnableSignUpWithGitLab": "false",
        "EnableSignUpWithGoogle": "false",
        "EnableSignUpWithOffice365": "false",
        "EnableSignUpWithOpenId": "false",
        "EnableSaml": "false",
        "EnableLdap": "false",
        "EnableMultifactorAuthentication": "false",
        "EnforceMultifactorAuthentication": "false",
        "PasswordMinimumLength": s.password_min_length.to_string(),
        "PasswordRequireLowercase": "false",
        "PasswordRequireUppercase": "false",
        "PasswordRequireNumber": "false",
        "PasswordRequireSymbol": "false",
        "EnableOpenServer": t(s.open_signup),
        "EnableUserCreation": "true",
        "EnableTeamCreation": t(s.team_creation),
        "EnableUserAccessTokens": "false",
        "EnableBotAccountCreation": "false",
        "EnableCommands": "false",
        "EnableIncomingWebhooks": "false",
        "EnableOutgoingWebhooks": "false",
        "EnablePostUsernameOverride": "false",
        "EnablePostIconOverride": "false",
        "EnableCustomEmoji": "false",
        "EnableFileAttachments": "true",
        "EnableMobileFileUpload": "true",
        "EnableMobileFileDownload": "true",
        "EnablePublicLink": "false",
        "MaxFileSize": s.max_file_size.to_string(),
        "MaxPostSize": s.max_post_chars.to_string(),
        "CollapsedThreads": "disabled",
        "EnableUserTypingMessages": "true",
        "TimeBetweenUserTypingUpdatesMilliseconds": "5000",
        "EnableUserStatuses": "true",
        "TeammateNameDisplay": "username",
        "ShowEmailAddress": t(s.show_email_address),
        "ShowFullName": "true",
        "RestrictDirectMessage": "any",
        "ExperimentalPrimaryTeam": "",
        "ExperimentalViewArchivedChannels": "true",
        "EnableReliableWebSockets": "false",
        "WebsocketURL": "",
        "WebsocketPort": "80",
        "WebsocketSecurePort": "443",
        "SendPushNotifications": "false",
        "PostEditTimeLimit": "-1",
        "DataRetentionEnableMessageDeletion": "false",
        "EnableLinkPreviews": "false",
        "EnableEmojiPicker": "true",
        "EnableGuestAccounts": "false",
        "FeatureFlagCollapsedThreads": "false",
        "ConclaveTlpLabels": "CLEAR,GREEN,AMBER,AMBER+STRICT,RED",
    })))
}

pub async fn client_license(params: Params) -> ApiResult<Json<Value>> {
    if params.str("format") != Some("old") {
        return Err(Error::invalid_param("format").into());
    }
    Ok(Json(json!({"IsLicensed": "false"})))
}

pub async fn empty_list(_auth: Auth) -> Json<Value> {
    Json(json!([]))
}

const CHANNEL_USER: &[&str] = &[
    "read_channel",
    "read_channel_content",
    "add_reaction",
    "remove_reaction",
    "create_post",
    "edit_post",
    "delete_post",
    "upload_file",
    "use_channel_mentions",
    "use_group_mentions",
    "manage_public_channel_properties",
    "manage_private_channel_properties",
    "manage_public_channel_members",
    "manage_private_channel_members",
    "read_public_channel_groups",
    "read_private_channel_groups",
];
const CHANNEL_ADMIN: &[&str] = &[
    "manage_channel_roles",
    "delete_public_channel",
    "delete_private_channel",
    "convert_public_channel_to_private",
    "convert_private_channel_to_public",
    "remove_reaction",
    "delete_others_posts",
];
const TEAM_USER: &[&str] = &[
    "list_team_channels",
    "join_public_channels",
    "read_public_channel",
    "view_team",
    "create_public_channel",
    "create_private_channel",
    "invite_user",
    "add_user_to_team",
];
const TEAM_ADMIN: &[&str] = &[
    "manage_team",
    "manage_team_roles",
    "remove_user_from_team",
    "manage_public_channel_members",
    "manage_private_channel_members",
    "delete_others_posts",
    "manage_channel_roles",
];
const TEAM_ANALYST: &[&str] = &["review_indicators"];
const SYSTEM_USER: &[&str] = &[
    "create_direct_channel",
    "create_group_channel",
    "create_team",
    "list_public_teams",
    "join_public_teams",
    "view_members",
    "list_users_without_team",
];
const SYSTEM_ADMIN: &[&str] = &[
    "manage_system",
    "manage_roles",
    "manage_team",
    "sysconsole_read_users",
    "edit_other_users",
    "create_team",
    "list_private_teams",
    "join_private_teams",
    "manage_public_channel_members",
    "manage_private_channel_members",
];

fn role(name: &str) -> Option<Value> {
    let (display, perms): (&str, Vec<&str>) = match name {
        "system_user" => ("authentication.roles.global_user.name", SYSTEM_USER.to_vec()),
        "system_admin" => {
            ("authentication.roles.global_admin.name", [SYSTEM_ADMIN, SYSTEM_USER, TEAM_USER, TEAM_ADMIN, CHANNEL_USER, CHANNEL_ADMIN].concat())
        }
        "team_user" => ("authentication.roles.team_user.name", TEAM_USER.to_vec()),
        "team_admin" => ("authentication.roles.team_admin.name", TEAM_ADMIN.to_vec()),
        "team_analyst" => ("conclave.roles.team_analyst.name", TEAM_ANALYST.to_vec()),
        "channel_user" => ("authentication.roles.channel_user.name", CHANNEL_USER.to_vec()),
        "channel_admin" => ("authentication.roles.channel_admin.name", CHANNEL_ADMIN.to_vec()),
        "system_guest" | "team_guest" | "channel_guest" => ("authentication.roles.guest.name", Vec::new()),
        _ => return None,
    };
    Some(json!({
        "id": name, "name": name, "display_name": display, "description": "",
        "permissions": perms, "scheme_managed": true, "built_in": true,
        "create_at": 0, "update_at": 0, "delete_at": 0,
    }))
}

pub async fn roles_by_names(_auth: Auth, JsonBody(names): JsonBody<Vec<String>>) -> ApiResult<Json<Value>> {
    if names.len() > 100 {
        return Err(Error::invalid_param("names").into());
    }
    Ok(Json(Value::Array(names.iter().filter_map(|n| role(n)).collect())))
}

pub async fn role_by_name(_auth: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    role(&name).map(Json).ok_or_else(|| Error::new(ErrorCode::NotFound).with_param("role").into())
}
