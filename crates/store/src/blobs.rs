//! Uploaded bytes in a local directory, under keys the domain builds from ids only.

use async_trait::async_trait;
use domain::ports::BlobStore;
use domain::{Error, Result};
use std::path::{Component, Path, PathBuf};

pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalBlobs { root: root.into() }
    }

    /// Resolves a key under the root, refusing anything that could leave it.
    fn path(&self, key: &str) -> Result<PathBuf> {
        let rel = Path::new(key);
        if key.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(Error::internal(format!("refusing blob key {key:?}")));
        }
        Ok(self.root.join(rel))
    }
}

#[async_trait]
impl BlobStore for LocalBlobs {
    /// Writes to a temporary file, syncs it, then renames it into place, so a crash never
    /// leaves a half-written file under a real key.
    async fn put(&self, key: &str, data: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        let dir = path.parent().ok_or_else(|| Error::internal("blob key has no parent"))?.to_owned();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let tmp = path.with_extension("partial");
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&data)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::unavailable)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(data) => Ok(data),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::not_found("file")),
            Err(e) => Err(Error::unavailable(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::unavailable(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_refuse_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = LocalBlobs::new(dir.path());
        blobs.put("files/a/b", b"hello".to_vec()).await.unwrap();
        assert_eq!(blobs.get("files/a/b").await.unwrap(), b"hello");
        assert!(blobs.put("../escape", vec![]).await.is_err());
        assert!(blobs.put("/abs", vec![]).await.is_err());
        blobs.delete("files/a/b").await.unwrap();
        assert!(blobs.get("files/a/b").await.is_err());
    }
}
