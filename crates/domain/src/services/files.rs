//! File attachments: upload, metadata, download, thumbnails and previews.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{ChannelId, FileId, PostId};
use crate::imaging;
use crate::model::FileInfo;
use crate::policy::{Action, ChannelGrant, Principal};

/// Which rendition of a file to download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendition {
    Original,
    Thumbnail,
    Preview,
}

/// Makes an uploaded file name safe to store and show: no directories, no control or
/// bidirectional-override characters, at most 255 bytes.
pub fn sanitize_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(*c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let mut out = String::new();
    for c in cleaned.chars() {
        if out.len() + c.len_utf8() > 255 {
            break;
        }
        out.push(c);
    }
    if out.is_empty() { "file".into() } else { out }
}

fn extension_of(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 16 => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

impl App {
    /// Stores an uploaded file for a channel the principal may post in. Images get their
    /// dimensions, a thumbnail and a preview, within the pixel budget.
    pub async fn upload_file(&self, principal: &Principal, channel: &ChannelId, name: &str, mime_type: &str, data: Vec<u8>) -> Result<FileInfo> {
        if data.len() as u64 > self.settings.max_file_size {
            return Err(Error::new(ErrorCode::FileTooLarge));
        }
        let grant = self.grant(principal, channel, Action::Post).await?;
        let name = sanitize_file_name(name);
        let id = FileId::generate();
        let base = format!("files/{}/{}", grant.channel_id(), id);
        let max_pixels = self.settings.max_image_pixels;
        let (data, processed) = tokio::task::spawn_blocking(move || {
            let processed = imaging::process(&data, max_pixels);
            (data, processed)
        })
        .await
        .map_err(Error::internal)?;
        let now = self.now();
        let mut info = FileInfo {
            id,
            user_id: principal.user_id.clone(),
            channel_id: grant.channel_id().clone(),
            post_id: None,
            extension: extension_of(&name),
            name,
            size: data.len() as i64,
            mime_type: mime_type.to_owned(),
            width: 0,
            height: 0,
            has_preview_image: false,
            path: format!("{base}/original"),
            thumbnail_path: String::new(),
            preview_path: String::new(),
            create_at: now,
            update_at: now,
            delete_at: 0,
        };
        self.blobs.put(&info.path, data).await?;
        if let Some(p) = processed {
            info.width = i64::from(p.width);
            info.height = i64::from(p.height);
            if let Some(thumb) = p.thumbnail {
                info.thumbnail_path = format!("{base}/thumb.jpg");
                self.blobs.put(&info.thumbnail_path, thumb).await?;
            }
            if let Some(preview) = p.preview {
                info.preview_path = format!("{base}/preview.jpg");
                self.blobs.put(&info.preview_path, preview).await?;
                info.has_preview_image = true;
            }
        }
        self.store.save_file_info(&info).await?;
        Ok(info)
    }

    async fn file_grant(&self, principal: &Principal, file: &FileId) -> Result<ChannelGrant> {
        let channel = self.store.file_channel(file).await?.ok_or_else(|| Error::not_found("file"))?;
        self.grant(principal, &channel, Action::Read).await.map_err(|e| if e.code == ErrorCode::NotFound { Error::not_found("file") } else { e })
    }

    pub async fn file_info(&self, principal: &Principal, file: &FileId) -> Result<FileInfo> {
        let grant = self.file_grant(principal, file).await?;
        self.store.get_file_info(&grant, file).await?.filter(|f| f.delete_at == 0).ok_or_else(|| Error::not_found("file"))
    }

    /// The bytes of a file or one of its renditions, with the metadata to serve them.
    pub async fn file_content(&self, principal: &Principal, file: &FileId, rendition: Rendition) -> Result<(FileInfo, Vec<u8>)> {
        let info = self.file_info(principal, file).await?;
        let key = match rendition {
            Rendition::Original => &info.path,
            Rendition::Thumbnail => &info.thumbnail_path,
            Rendition::Preview => &info.preview_path,
        };
        if key.is_empty() {
            return Err(Error::not_found("file"));
        }
        let data = self.blobs.get(key).await?;
        Ok((info, data))
    }

    pub async fn post_file_infos(&self, principal: &Principal, post: &PostId) -> Result<Vec<FileInfo>> {
        let channel = self.store.post_channel(post).await?.ok_or_else(|| Error::not_found("post"))?;
        let grant = self.grant(principal, &channel, Action::Read).await?;
        self.store.file_infos_for_posts(&grant, std::slice::from_ref(post)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_controls() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\x\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_file_name("evil\u{202e}fdp.exe"), "evilfdp.exe");
        assert_eq!(sanitize_file_name("a\0b"), "ab");
        assert_eq!(sanitize_file_name(""), "file");
        assert_eq!(sanitize_file_name(".hidden"), "hidden");
        assert!(sanitize_file_name(&"é".repeat(300)).len() <= 255);
    }
}
