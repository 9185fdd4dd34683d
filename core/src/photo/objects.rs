//! Where photo bytes live: an `object_store` chosen by `photos.store` — `file://DIR` (a local
//! directory, created if missing; relative to the working directory) or, in a build with the `s3`
//! feature, `s3://BUCKET/PREFIX` for any S3-compatible store (credentials, region and endpoint from
//! the standard `AWS_*` environment variables, e.g. `AWS_ENDPOINT` for MinIO).

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::{CoreError, CoreResult};

/// The photo store (cheap to clone).
#[derive(Clone, Debug)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl Objects {
    /// Opens the store `url` names; the error says what is wrong with it (the caller names the key).
    pub fn open(url: &str) -> Result<Objects, String> {
        let store: Arc<dyn ObjectStore> = if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{dir}`: {e}"))?;
            let local = object_store::local::LocalFileSystem::new_with_prefix(dir)
                .map_err(|e| format!("cannot use `{dir}`: {e}"))?;
            Arc::new(local)
        } else if url.starts_with("s3://") {
            s3(url)?
        } else {
            return Err(format!("`{url}` must be file://DIR or s3://BUCKET/PREFIX"));
        };
        Ok(Objects { store })
    }

    /// Stores `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Bytes) -> CoreResult<()> {
        let path = Path::from(key);
        self.store
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map(drop)
            .map_err(|e| store_error("put", key, e))
    }

    /// The bytes under `key`.
    pub async fn get(&self, key: &str) -> CoreResult<Bytes> {
        let path = Path::from(key);
        let found = self.store.get(&path).await.map_err(|e| store_error("get", key, e))?;
        found.bytes().await.map_err(|e| store_error("read", key, e))
    }

    /// Removes `key` (a missing one is fine: deleting twice is deleting).
    pub async fn delete(&self, key: &str) -> CoreResult<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error("delete", key, e)),
        }
    }
}

/// A store failure is ours, never the caller's: logged with the key, answered as a 500.
fn store_error(op: &str, key: &str, err: object_store::Error) -> CoreError {
    tracing::error!(op, key, error = %err, "photo store failed");
    CoreError::Storage(format!("photo store {op} failed"))
}

#[cfg(feature = "s3")]
fn s3(url: &str) -> Result<Arc<dyn ObjectStore>, String> {
    let (bucket_url, prefix) = match url["s3://".len()..].split_once('/') {
        Some((bucket, prefix)) => (format!("s3://{bucket}"), prefix.trim_matches('/').to_string()),
        None => (url.to_string(), String::new()),
    };
    let s3 = object_store::aws::AmazonS3Builder::from_env()
        .with_url(bucket_url)
        .build()
        .map_err(|e| format!("cannot use `{url}`: {e}"))?;
    Ok(match prefix.as_str() {
        "" => Arc::new(s3),
        _ => Arc::new(object_store::prefix::PrefixStore::new(s3, prefix)),
    })
}

#[cfg(not(feature = "s3"))]
fn s3(url: &str) -> Result<Arc<dyn ObjectStore>, String> {
    Err(format!(
        "`{url}` needs a build with the s3 feature (cargo build --features s3)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_directory_keeps_what_it_is_given() {
        let dir = std::env::temp_dir().join(format!("mw-objects-{}", std::process::id()));
        let objects = Objects::open(&format!("file://{}", dir.display())).unwrap();
        objects.put("wishes/1/a", Bytes::from_static(b"abc")).await.unwrap();
        assert_eq!(objects.get("wishes/1/a").await.unwrap().as_ref(), b"abc");
        objects.delete("wishes/1/a").await.unwrap();
        objects.delete("wishes/1/a").await.unwrap();
        assert!(objects.get("wishes/1/a").await.is_err());
        assert!(Objects::open("ftp://x").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
