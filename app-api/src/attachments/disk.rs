//! The local-disk backend (`BLOB_DIR`), for running without S3: objects are files under the
//! directory, and download links are signed by app-api (`shared::signed`, over the key, the
//! expiry and how the file is presented) and served by app-api itself at `/v1/files/{token}`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shared::config::EncryptionKey;
use shared::signed::{Encoding, Purpose, Refused};

use super::blob::{BlobError, BlobStore, Link, ListPage, Presentation, StoredObject, is_object_key};

/// Where local download links are served.
pub const FILES_PATH: &str = "/v1/files";

/// Download links: 128 bits of MAC, in a URL.
const FILE_LINK: Purpose = Purpose::new(4, 16, Encoding::Url);

pub struct DiskStore {
    dir: PathBuf,
    key: EncryptionKey,
}

/// What a valid link serves.
#[derive(Debug)]
pub struct SignedFile {
    pub path: PathBuf,
    pub content_type: String,
    pub file_name: String,
}

impl DiskStore {
    pub fn new(dir: PathBuf, key: EncryptionKey) -> Self {
        Self { dir, key }
    }

    /// Where uploads are written while they arrive: on the same file system as the objects, so
    /// that storing one is a rename.
    pub fn spool_dir(&self) -> PathBuf {
        self.dir.join(".spool")
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, BlobError> {
        if is_object_key(key) {
            Ok(self.dir.join(key))
        } else {
            Err(BlobError::Failed(format!("not an object key: {key:?}")))
        }
    }

    /// The token of a link to `key`, presented as `presentation`, valid until `expires`.
    fn token(&self, key: &str, presentation: Presentation<'_>, expires: DateTime<Utc>) -> String {
        let payload = format!("{key}\n{}\n{}", presentation.content_type, presentation.file_name);
        FILE_LINK.sign_until(&self.key, expires, payload.as_bytes())
    }

    /// The file a link's token names, if this process signed it and it has not expired at `now`.
    pub fn open_link(&self, token: &str, now: DateTime<Utc>) -> Result<SignedFile, Refused> {
        let payload = String::from_utf8(FILE_LINK.open_at(&self.key, token, now)?).map_err(|_| Refused::Invalid)?;
        let mut fields = payload.splitn(3, '\n');
        let (Some(key), Some(content_type), Some(file_name)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(Refused::Invalid);
        };
        let path = self.path_of(key).map_err(|_| Refused::Invalid)?;
        Ok(SignedFile { path, content_type: content_type.to_owned(), file_name: file_name.to_owned() })
    }
}

fn failed(err: &std::io::Error) -> BlobError {
    BlobError::Failed(err.to_string())
}

/// Every file below `dir` whose key (path relative to `root`) starts with `prefix`.
async fn walk(root: &Path, dir: PathBuf, prefix: &str, into: &mut Vec<StoredObject>) -> std::io::Result<()> {
    let mut pending = vec![dir];
    while let Some(dir) = pending.pop() {
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        while let Some(entry) = entries.next_entry().await? {
            let meta = entry.metadata().await?;
            if meta.is_dir() {
                pending.push(entry.path());
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root).map(Path::to_path_buf) else { continue };
            let Some(key) = relative.to_str().map(str::to_owned) else { continue };
            if key.starts_with(prefix) {
                let modified = meta.modified().map_or_else(|_| Utc::now(), DateTime::<Utc>::from);
                into.push(StoredObject { key, size: meta.len(), modified });
            }
        }
    }
    Ok(())
}

#[async_trait]
impl BlobStore for DiskStore {
    fn kind(&self) -> &'static str {
        "disk"
    }

    async fn prepare(&self) -> Result<(), BlobError> {
        tokio::fs::create_dir_all(self.spool_dir()).await.map_err(|e| failed(&e))
    }

    async fn check(&self) -> Result<(), BlobError> {
        let meta = tokio::fs::metadata(&self.dir).await.map_err(|e| failed(&e))?;
        if meta.is_dir() && !meta.permissions().readonly() {
            Ok(())
        } else {
            Err(BlobError::Failed(format!("{} is not a writable directory", self.dir.display())))
        }
    }

    async fn put_file(&self, key: &str, path: &Path, _: u64, _: &str) -> Result<(), BlobError> {
        let target = self.path_of(key)?;
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| failed(&e))?;
        }
        // A rename is atomic: a reader sees the old file or the new one, never a part.
        if tokio::fs::rename(path, &target).await.is_err() {
            let partial = target.with_extension("partial");
            tokio::fs::copy(path, &partial).await.map_err(|e| failed(&e))?;
            tokio::fs::rename(&partial, &target).await.map_err(|e| failed(&e))?;
        }
        Ok(())
    }

    async fn delete(&self, keys: &[String]) -> Result<(), BlobError> {
        for key in keys {
            match tokio::fs::remove_file(self.path_of(key)?).await {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(failed(&err)),
            }
        }
        Ok(())
    }

    async fn list(&self, prefix: &str, after: Option<&str>) -> Result<ListPage, BlobError> {
        let mut objects = Vec::new();
        let start = self.dir.join(prefix.rsplit_once('/').map_or("", |(dir, _)| dir));
        walk(&self.dir, start, prefix, &mut objects).await.map_err(|e| failed(&e))?;
        objects.retain(|o| after.is_none_or(|after| o.key.as_str() > after));
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        let next = (objects.len() > 1000).then(|| objects[999].key.clone());
        objects.truncate(1000);
        Ok(ListPage { objects, next })
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        match tokio::fs::metadata(self.path_of(key)?).await {
            Ok(meta) => Ok(meta.is_file()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(failed(&err)),
        }
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        match tokio::fs::read(self.path_of(key)?).await {
            Ok(bytes) => Ok(bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(BlobError::Missing),
            Err(err) => Err(failed(&err)),
        }
    }

    async fn link(&self, key: &str, presentation: Presentation<'_>, ttl: Duration) -> Result<Link, BlobError> {
        self.path_of(key)?;
        let expires_at = Utc::now() + ttl;
        let token = self.token(key, presentation, expires_at);
        Ok(Link { url: format!("{FILES_PATH}/{token}"), expires_at })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn store() -> DiskStore {
        DiskStore::new("/nonexistent".into(), EncryptionKey::from_bytes([7; 32]))
    }

    fn key() -> String {
        super::super::blob::object_key(uuid::Uuid::now_v7(), sav::ids::TicketId(3), &"b".repeat(64), "pdf")
    }

    #[tokio::test]
    async fn a_link_opens_until_it_expires_and_not_once_altered() {
        let store = store();
        let key = key();
        let presentation = Presentation { file_name: "facture\nmars.pdf", content_type: "application/pdf" };
        let link = store.link(&key, presentation, Duration::from_secs(60)).await.unwrap();
        let token = link.url.strip_prefix("/v1/files/").unwrap();
        let opened = store.open_link(token, Utc::now()).unwrap();
        assert_eq!(opened.path, PathBuf::from("/nonexistent").join(&key));
        assert_eq!((opened.file_name.as_str(), opened.content_type.as_str()), ("facture\nmars.pdf", "application/pdf"));
        assert_eq!(store.open_link(token, link.expires_at).unwrap_err(), Refused::Expired);

        // Another expiry, another file or another process's key: refused.
        let mut bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
        bytes[7] ^= 0x40; // a later expiry, the same MAC
        assert_eq!(store.open_link(&URL_SAFE_NO_PAD.encode(&bytes), Utc::now()).unwrap_err(), Refused::Invalid);
        bytes[7] ^= 0x40;
        bytes[20] ^= 1;
        assert_eq!(store.open_link(&URL_SAFE_NO_PAD.encode(&bytes), Utc::now()).unwrap_err(), Refused::Invalid);
        let other = DiskStore::new("/nonexistent".into(), EncryptionKey::from_bytes([8; 32]));
        assert_eq!(other.open_link(token, Utc::now()).unwrap_err(), Refused::Invalid);
        for junk in ["", ".", "abc", "a.b", "%%%.%%%"] {
            assert_eq!(store.open_link(junk, Utc::now()).unwrap_err(), Refused::Invalid, "{junk}");
        }
    }

    #[tokio::test]
    async fn only_object_keys_reach_the_disk() {
        let store = store();
        let presentation = Presentation { file_name: "x", content_type: "text/plain" };
        assert!(store.link("../../etc/passwd", presentation, Duration::from_secs(5)).await.is_err());
        assert!(store.exists("tenants/../../etc/passwd").await.is_err());
    }
}
