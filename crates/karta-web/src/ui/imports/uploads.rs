//! Uploaded files waiting to be imported. Each user's files live in their
//! own folder under the system's temporary directory, named by a random id,
//! so a user can reach only their own uploads; a day later they are gone.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

/// How long an upload waits for its import.
const KEPT: Duration = Duration::from_secs(24 * 3600);

fn folder(user: Uuid) -> PathBuf {
    std::env::temp_dir()
        .join("karta-uploads")
        .join(user.to_string())
}

/// A new, empty upload of `user`: its id and the file to write. The
/// user's uploads older than a day are removed first.
pub fn create(user: Uuid) -> std::io::Result<(Uuid, File)> {
    let folder = folder(user);
    std::fs::create_dir_all(&folder)?;
    remove_old(&folder);
    let id = Uuid::new_v4();
    Ok((id, File::create(folder.join(id.to_string()))?))
}

/// The upload `id` of `user`, while it is kept.
pub fn open(user: Uuid, id: Uuid) -> Option<File> {
    File::open(folder(user).join(id.to_string())).ok()
}

/// Forgets an upload that will not be imported.
pub fn remove(user: Uuid, id: Uuid) {
    // Already gone is as good as removed.
    let _ = std::fs::remove_file(folder(user).join(id.to_string()));
}

fn remove_old(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|at| at.elapsed().is_ok_and(|age| age > KEPT));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
