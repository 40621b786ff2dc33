//! Migrations run up, down and up again on the test database.

use migration::{Migrator, MigratorTrait};

use crate::support::fresh_database;

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let (url, _dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    Migrator::down(&db, None).await.unwrap();
    let all = Migrator::migrations().len();
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        all
    );
    Migrator::up(&db, None).await.unwrap();
    assert!(Migrator::get_pending_migrations(&db)
        .await
        .unwrap()
        .is_empty());
}

/// PostgreSQL: the search index's GIN keeps a small pending list, so a search never reads
/// megabytes of unmerged entries (see migration 000012).
#[tokio::test]
async fn the_search_index_keeps_a_small_pending_list_on_postgres() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let (url, _dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'idx_search_document_doc'",
        ))
        .await
        .unwrap()
        .unwrap();
    let options: String = row.try_get_by_index(0).unwrap();
    assert_eq!(options, "gin_pending_list_limit=256");
}
