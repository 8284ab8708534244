//! Both migration trees must describe the same tables and columns (with the same types), so
//! the shared SQL means the same thing on either backend.

use sqlx::Row;
use std::collections::BTreeSet;
use store::testing::{Kind, TestDb};

/// Columns that exist on one backend only by design: SQLite's full-text shadow tables and
/// PostgreSQL's generated tsvector.
fn backend_specific(table: &str, column: &str) -> bool {
    table.starts_with("posts_fts") || table == "_sqlx_migrations" || column == "message_tsv"
}

fn normalize(ty: &str) -> String {
    let ty = ty.to_ascii_uppercase();
    match ty.as_str() {
        "INTEGER" | "BIGINT" | "INT8" => "INT".into(),
        "TEXT" | "CHARACTER VARYING" => "TEXT".into(),
        other => other.into(),
    }
}

async fn columns(db: &TestDb, kind: Kind) -> BTreeSet<(String, String, String)> {
    let pool = &db.store.db.pool;
    let rows = match kind {
        Kind::Sqlite => sqlx::query("SELECT m.name AS t, p.name AS c, p.type AS ty FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'").fetch_all(pool).await.unwrap(),
        Kind::Postgres => sqlx::query("SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty FROM information_schema.columns WHERE table_schema = current_schema()").fetch_all(pool).await.unwrap(),
    };
    rows.iter()
        .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c"), normalize(&r.get::<String, _>("ty"))))
        .filter(|(t, c, _)| !backend_specific(t, c))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let sqlite = TestDb::new(Kind::Sqlite).await;
    let postgres = TestDb::new(Kind::Postgres).await;
    let a = columns(&sqlite, Kind::Sqlite).await;
    let b = columns(&postgres, Kind::Postgres).await;
    assert!(a.len() > 80, "only {} columns found", a.len());
    let only_sqlite: Vec<_> = a.difference(&b).collect();
    let only_postgres: Vec<_> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ\nonly in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_postgres:?}"
    );
    sqlite.cleanup().await;
    postgres.cleanup().await;
}
