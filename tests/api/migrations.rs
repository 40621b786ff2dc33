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
