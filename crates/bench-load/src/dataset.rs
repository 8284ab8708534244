//! Benchmark datasets, built once and cached under the work directory.
//!
//! Building one starts the server on an empty data directory and makes the structure through
//! the API (an administrator, a template user, a team, its channels, the template's team and
//! channel memberships), so those rows are exactly what the server writes. The server is then
//! stopped and the bulk goes straight into the SQLite file (see [`crate::bulk`]): users and
//! memberships copied from the template rows, one session per user (the token is kept in
//! `dataset.json`, its SHA-256 in the table, as the server stores it), and posts with their
//! full-text rows. A dataset whose `dataset.json` matches its spec is reused.

use crate::api::{Api, http_client, str_field};
use crate::server::Server;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a dataset holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub name: String,
    pub users: usize,
    pub channels: usize,
    /// Channels each user belongs to (user 0, the search user, belongs to `search_channels`).
    pub channels_per_user: usize,
    pub search_channels: usize,
    pub posts: usize,
}

impl Spec {
    /// One channel everybody is in, no posts: ingest, delivery, idle sockets.
    pub fn small(users: usize) -> Spec {
        Spec { name: format!("small-{users}"), users, channels: 1, channels_per_user: 1, search_channels: 1, posts: 0 }
    }

    /// Many channels and many posts: search, the realistic mix, cold start with data.
    pub fn big(users: usize, channels: usize, posts: usize) -> Spec {
        Spec { name: format!("big-{users}u-{channels}c-{posts}p"), users, channels, channels_per_user: 5, search_channels: 50.min(channels), posts }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub token: String,
    /// Indexes into [`Dataset::channels`].
    pub channels: Vec<usize>,
}

/// A built dataset: where its data directory is and who is in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Dataset {
    pub spec: Spec,
    pub team_id: String,
    pub channels: Vec<String>,
    pub users: Vec<User>,
    pub password: String,
    #[serde(skip)]
    pub data_dir: PathBuf,
}

/// The password of the dataset's `bench-admin` (and template) account.
pub const PASSWORD: &str = "bench password 1";
/// Bump when the layout of a dataset changes, so caches are rebuilt.
const FORMAT: u32 = 1;

/// Returns the dataset for `spec`, building it if it is not cached under `work`.
pub async fn prepare(work: &Path, conclave: &Path, spec: &Spec) -> Result<Dataset, String> {
    let dir = work.join("datasets").join(format!("{}-v{FORMAT}", spec.name));
    let manifest = dir.join("dataset.json");
    if let Ok(text) = std::fs::read_to_string(&manifest)
        && let Ok(mut ds) = serde_json::from_str::<Dataset>(&text)
        && ds.spec == *spec
    {
        ds.data_dir = dir.join("data");
        return Ok(ds);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let started = Instant::now();
    eprintln!("building dataset {} ({} users, {} channels, {} posts) …", spec.name, spec.users, spec.channels, spec.posts);
    let data_dir = dir.join("data");
    let skeleton = bootstrap(conclave, &data_dir, spec).await?;
    let ds = crate::bulk::fill(&data_dir, spec, skeleton).await?;
    let text = serde_json::to_string(&ds).map_err(|e| e.to_string())?;
    std::fs::write(&manifest, text).map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    eprintln!("dataset {} built in {:.1} s", spec.name, started.elapsed().as_secs_f64());
    Ok(Dataset { data_dir, ..ds })
}

/// What the API part of a build made.
pub struct Skeleton {
    pub team_id: String,
    pub channels: Vec<String>,
    pub template_user: String,
    pub template_channel: String,
}

/// Creates the structure through the API, then stops the server.
async fn bootstrap(conclave: &Path, data_dir: &Path, spec: &Spec) -> Result<Skeleton, String> {
    let server = Server::start(conclave, data_dir).await?;
    let result = bootstrap_on(&server, spec).await;
    server.stop().await;
    result
}

async fn bootstrap_on(server: &Server, spec: &Spec) -> Result<Skeleton, String> {
    let http = http_client(None);
    let anon = Api::new(http.clone(), &server.url, "");
    anon.post_ok("/users", &json!({"username": "bench-admin", "email": "bench-admin@example.org", "password": PASSWORD})).await?;
    let template =
        anon.post_ok("/users", &json!({"username": "bench-template", "email": "bench-template@example.org", "password": PASSWORD})).await?;
    let template_user = str_field(&template, "id")?;
    let token = Api::login(&http, &server.url, "bench-admin", PASSWORD).await?;
    let admin = Api::new(http.clone(), &server.url, &token);
    let team = admin.post_ok("/teams", &json!({"name": "bench", "display_name": "Bench", "type": "O"})).await?;
    let team_id = str_field(&team, "id")?;
    admin.post_ok(&format!("/teams/{team_id}/members"), &json!({"team_id": team_id, "user_id": template_user})).await?;
    // Channels in parallel, a few at a time, keeping their order.
    let mut channels = vec![String::new(); spec.channels];
    let mut next = 0;
    while next < spec.channels {
        let batch: Vec<usize> = (next..(next + 16).min(spec.channels)).collect();
        let futures = batch.iter().map(|&i| {
            let admin = admin.clone();
            let team_id = team_id.clone();
            async move {
                let body = json!({"team_id": team_id, "name": format!("c{i:05}"), "display_name": format!("Channel {i}"), "type": "O"});
                admin.post_ok("/channels", &body).await.and_then(|c| str_field(&c, "id"))
            }
        });
        for (i, id) in batch.iter().zip(futures_util::future::join_all(futures).await) {
            channels[*i] = id?;
        }
        next += batch.len();
    }
    let template_channel = channels[0].clone();
    admin.post_ok(&format!("/channels/{template_channel}/members"), &json!({"user_id": template_user})).await?;
    Ok(Skeleton { team_id, channels, template_user, template_channel })
}

/// The channels user `u` belongs to: the first `search_channels` for user 0, otherwise
/// `channels_per_user` distinct ones spread over the team.
pub fn memberships(spec: &Spec, u: usize) -> Vec<usize> {
    if u == 0 {
        return (0..spec.search_channels.min(spec.channels)).collect();
    }
    let want = spec.channels_per_user.min(spec.channels);
    let mut rng = crate::words::Rng::new(u as u64);
    let mut out: Vec<usize> = Vec::with_capacity(want);
    while out.len() < want {
        let c = rng.below(spec.channels);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memberships_are_distinct_and_in_range() {
        let spec = Spec::big(100, 40, 0);
        assert_eq!(memberships(&spec, 0), (0..40).collect::<Vec<_>>());
        for u in 1..100 {
            let m = memberships(&spec, u);
            assert_eq!(m.len(), 5);
            assert!(m.iter().all(|&c| c < 40));
            let mut d = m.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), 5);
        }
        assert_eq!(memberships(&Spec::small(10), 3), vec![0]);
    }
}
