//! `/files`: multipart upload, download, thumbnails and previews, all behind the channel's
//! read check.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Params, channel_id, file_id, post_id};
use crate::wire;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::services::files::Rendition;
use domain::{Error, ErrorCode};
use serde_json::{Value, json};
use std::sync::Arc;

/// Most files one upload request may carry (clients attach at most ten to a post).
const MAX_FILES_PER_REQUEST: usize = 10;

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(Error::new(ErrorCode::FileTooLarge))
    } else {
        ApiError(Error::invalid_param("multipart").with_detail(e))
    }
}

/// `POST /files`: a multipart body with a `channel_id` field (or query parameter) and one or
/// more `files` parts, optionally with `client_ids`. Parts may come in any order.
pub async fn upload(State(state): State<Arc<AppState>>, auth: Auth, params: Params, mut multipart: Multipart) -> ApiResult<Response> {
    if !state.limits.uploads.check(&auth.principal.user_id.to_string()).allowed {
        // Read the rest of the (already size-capped) body before answering: a server that
        // answers and closes while the client is still sending makes browsers and fetch report
        // a network error instead of the 429 the client could wait out.
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.bytes().await.is_err() {
                break;
            }
        }
        return Err(Error::new(ErrorCode::RateLimited).into());
    }
    let mut channel = params.str("channel_id").map(str::to_owned);
    let mut client_ids: Vec<String> = Vec::new();
    let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "channel_id" => channel = Some(field.text().await.map_err(multipart_error)?),
            "client_ids" => client_ids.push(field.text().await.map_err(multipart_error)?.chars().take(64).collect()),
            "files" => {
                if files.len() == MAX_FILES_PER_REQUEST {
                    return Err(Error::invalid_param("files").into());
                }
                let file_name = field.file_name().unwrap_or("file").to_owned();
                let data = field.bytes().await.map_err(multipart_error)?;
                if data.len() as u64 > state.app.settings.max_file_size {
                    return Err(Error::new(ErrorCode::FileTooLarge).into());
                }
                let mime = mime_guess::from_path(&file_name).first_or_octet_stream().essence_str().to_owned();
                files.push((file_name, mime, data.to_vec()));
            }
            // Unknown parts are drained and ignored.
            _ => {
                field.bytes().await.map_err(multipart_error)?;
            }
        }
    }
    let channel = channel_id(channel.as_deref().unwrap_or(""))?;
    if files.is_empty() {
        return Err(Error::invalid_param("files").into());
    }
    let mut infos = Vec::new();
    for (name, mime, data) in files {
        let info = state.app.upload_file(&auth.principal, &channel, &name, &mime, data).await?;
        infos.push(wire::file_info(&info));
    }
    Ok((StatusCode::CREATED, Json(json!({"file_infos": infos, "client_ids": client_ids}))).into_response())
}

/// MIME types a browser may render inline; everything else is served as a download.
fn inline_ok(mime: &str) -> bool {
    matches!(mime, "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/bmp")
}

fn content_disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            encoded.push(*b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn serve_file(state: &AppState, auth: &Auth, id: &str, rendition: Rendition, force_download: bool) -> ApiResult<Response> {
    let (info, data) = state.app.file_content(&auth.principal, &file_id(id)?, rendition).await?;
    let mime = if rendition == Rendition::Original { info.mime_type.clone() } else { "image/jpeg".into() };
    let inline = inline_ok(&mime) && !force_download;
    let mut resp = data.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(if inline { &mime } else { "application/octet-stream" })
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, content_disposition(if inline { "inline" } else { "attachment" }, &info.name));
    // Uploaded bytes never run as a page, even if a browser is talked into rendering them.
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox; frame-ancestors 'none'"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    Ok(resp)
}

pub async fn download(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>, params: Params) -> ApiResult<Response> {
    serve_file(&state, &auth, &id, Rendition::Original, params.flag("download")).await
}

pub async fn thumbnail(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    serve_file(&state, &auth, &id, Rendition::Thumbnail, false).await
}

pub async fn preview(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    serve_file(&state, &auth, &id, Rendition::Preview, false).await
}

pub async fn info(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::FileInfoDto>> {
    let info = state.app.file_info(&auth.principal, &file_id(&id)?).await?;
    Ok(Json(wire::file_info(&info)))
}

/// Public links would let a file leave its channel without a login; they are disabled.
pub async fn public_link(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    state.app.file_info(&auth.principal, &file_id(&id)?).await?;
    Err(Error::new(ErrorCode::FeatureDisabled).into())
}

pub async fn infos_for_post(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<wire::FileInfoDto>>> {
    let infos = state.app.post_file_infos(&auth.principal, &post_id(&id)?).await?;
    Ok(Json(infos.iter().map(wire::file_info).collect()))
}

/// A 64x64 PNG in a colour derived from the user id.
pub fn avatar_png(user_id: &str) -> Vec<u8> {
    let hash = user_id.bytes().fold(2166136261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16777619));
    let [r, g, b, _] = hash.to_le_bytes();
    let color = image::Rgb([r / 2 + 64, g / 2 + 64, b / 2 + 64]);
    let img =
        image::RgbImage::from_fn(64, 64, |x, y| if (16..48).contains(&x) && (16..48).contains(&y) { image::Rgb([240, 240, 240]) } else { color });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}
