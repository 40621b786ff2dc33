//! Migrations run up, down and up again on the test database.

use migration::{Migrator, MigratorTrait};

use mlcat::auth::Auth;
use mlcat::config::Limits;
use serde_json::json;

use crate::governance_edges::{aspect_row, edge_rows, entity_row};
use crate::lineage::graph;
use crate::support::{fresh_database, TestApp};

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
    // The name's words have their own index (migration 000018), with as small a list, over
    // the expression the name-only match writes.
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT array_to_string(c.reloptions, ','), pg_get_indexdef(c.oid) FROM pg_class c \
             WHERE c.relname = 'idx_search_document_name_words'",
        ))
        .await
        .unwrap()
        .expect("the name-words index");
    let options: String = row.try_get_by_index(0).unwrap();
    let definition: String = row.try_get_by_index(1).unwrap();
    assert_eq!(options, "gin_pending_list_limit=256");
    assert!(
        definition.contains(
            "gin (array_to_tsvector(array_remove(string_to_array(name, ' '::text), ''::text)))"
        ),
        "{definition}"
    );
}

/// Column lineage and a job's inputs and outputs stored before they made edges (migration
/// 000015): migrated up, the walks cross them; down removes them and up derives them again.
#[tokio::test]
async fn a_migration_derives_column_lineage_and_job_edges_stored_before_them() {
    let raw = "urn:li:dataset:(urn:li:dataPlatform:s3,events.json,PROD)";
    let table = "urn:li:dataset:(urn:li:dataPlatform:hive,db.events,PROD)";
    let report = "urn:li:dataset:(urn:li:dataPlatform:hive,db.report,PROD)";
    let job = "urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),load)";
    let extract = "urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),extract)";
    let field = |ds: &str, path: &str| format!("urn:li:schemaField:({ds},{path})");
    let (url, dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    let all = Migrator::migrations();
    let before = all
        .iter()
        .position(|m| m.name() == "m20261207_000015_column_lineage_edges")
        .unwrap();
    let from_it = (all.len() - before) as u32;
    Migrator::up(&db, Some(before as u32)).await.unwrap();
    entity_row(&db, table, "dataset", "db.events").await;
    entity_row(
        &db,
        job,
        "dataJob",
        "(urn:li:dataFlow:(airflow,etl,prod),load)",
    )
    .await;
    // An older version's column lineage is not derived; the latest's is, without the element
    // that names a dataset where a field belongs.
    aspect_row(
        &db,
        table,
        "upstreamLineage",
        1,
        false,
        json!({"upstreams": [], "fineGrainedLineages": [{"upstreamType": "FIELD_SET",
            "upstreams": [field(raw, "old")], "downstreamType": "FIELD",
            "downstreams": [field(table, "old")]}]}),
        1100,
    )
    .await;
    aspect_row(
        &db,
        table,
        "upstreamLineage",
        2,
        true,
        json!({"upstreams": [], "fineGrainedLineages": [{"upstreamType": "FIELD_SET",
            "upstreams": [field(raw, "click"), raw], "downstreamType": "FIELD",
            "downstreams": [field(table, "clicks")]}]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        job,
        "dataJobInputOutput",
        1,
        true,
        json!({"inputDatasets": [table], "outputDatasets": [],
               "outputDatasetEdges": [{"destinationUrn": report}],
               "inputDatajobs": [extract, "not a urn"],
               "fineGrainedLineages": [{"upstreamType": "FIELD_SET",
                   "upstreams": [field(table, "clicks")], "downstreamType": "FIELD",
                   "downstreams": [field(report, "total")]}]}),
        1300,
    )
    .await;
    db.close().await.unwrap();

    let app = TestApp::over(url, dir, Limits::default(), Auth::Off).await;
    let walk = |urn: String| {
        let app = &app;
        async move {
            let g = graph(
                app,
                json!({"urn": urn, "direction": "DOWNSTREAM", "depth": 5}),
            )
            .await;
            let mut edges: Vec<(String, String, String)> = g["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap().to_string();
                    (s("source"), s("target"), s("relation"))
                })
                .collect();
            edges.sort();
            edges
        }
    };
    let t = |a: &str, b: &str, r: &str| (a.to_string(), b.to_string(), r.to_string());
    let mut want = vec![
        t(
            &field(raw, "click"),
            &field(table, "clicks"),
            "DownstreamOf",
        ),
        t(
            &field(table, "clicks"),
            &field(report, "total"),
            "DownstreamOf",
        ),
    ];
    want.sort();
    assert_eq!(walk(field(raw, "click")).await, want);
    // The older version's column is not even a row.
    let data = app
        .data(&format!(
            r#"{{ entity(urn: "{}") {{ urn }} }}"#,
            field(raw, "old")
        ))
        .await;
    assert_eq!(data["entity"], json!(null));
    let mut want = vec![t(table, job, "Consumes"), t(job, report, "Produces")];
    want.sort();
    assert_eq!(walk(table.to_string()).await, want);
    let mut want = vec![t(extract, job, "DownstreamOf"), t(job, report, "Produces")];
    want.sort();
    assert_eq!(walk(extract.to_string()).await, want);
    // A referenced dataset got a row with its key parts.
    let data = app
        .data(&format!(
            r#"{{ dataset(urn: "{report}") {{ name platform {{ name }} origin }} }}"#
        ))
        .await;
    assert_eq!(
        data["dataset"],
        json!({"name": "db.report", "platform": {"name": "hive"}, "origin": "PROD"})
    );
    assert_eq!(edge_rows(&app, "Consumes").await, (1, 0));
    assert_eq!(edge_rows(&app, "DownstreamOf").await, (3, 0));

    // Down removes them, up again derives them once.
    Migrator::down(&app.db, Some(from_it)).await.unwrap();
    assert_eq!(edge_rows(&app, "Consumes").await, (0, 0));
    assert_eq!(edge_rows(&app, "DownstreamOf").await, (0, 0));
    Migrator::up(&app.db, None).await.unwrap();
    Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(edge_rows(&app, "Consumes").await, (1, 0));
    assert_eq!(edge_rows(&app, "DownstreamOf").await, (3, 0));
}

/// Versions stored before the version index (migration 000017) are in it once migrated: the
/// latest, the next number and a taken label answer from it; of two versions stored with one
/// label, the first keeps it.
#[tokio::test]
async fn a_migration_indexes_versions_stored_before_it() {
    use mlcat::catalog::{Actor, LinkVersion};
    use mlcat::urn::Urn;
    let set = "urn:li:versionSet:(churn,mlModel)";
    let model = |n: &str| format!("urn:li:mlModel:(urn:li:dataPlatform:mlflow,{n},PROD)");
    let (url, dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261207_000017_version_members")
        .unwrap();
    Migrator::up(&db, Some(before as u32)).await.unwrap();
    entity_row(&db, set, "versionSet", "(churn,mlModel)").await;
    for (name, label, at) in [
        ("a", "1", 1000),
        ("b", "12", 1100),
        ("c", "12", 1200),
        ("d", "3", 1300),
    ] {
        entity_row(&db, &model(name), "mlModel", name).await;
        aspect_row(
            &db,
            &model(name),
            "versionProperties",
            1,
            true,
            json!({"versionSet": set, "version": {"versionTag": label}, "aliases": []}),
            at,
        )
        .await;
    }
    db.close().await.unwrap();

    let app = TestApp::over(url, dir, Limits::default(), Auth::Off).await;
    let catalog = app.catalog();
    let set = Urn::parse(set).unwrap();
    let latest = catalog.latest_version(&set).await.unwrap().unwrap();
    // "12" sorts after "3" (digit runs are compared as numbers); "b" was stored first.
    assert_eq!(
        (latest.urn.as_str(), latest.label.as_str()),
        (model("b").as_str(), "12")
    );
    assert_eq!(catalog.next_label(&set).await.unwrap().label, "13");
    let e = Urn::parse(&model("e")).unwrap();
    let taken = catalog
        .link_version(
            &Actor::named("ana"),
            LinkVersion::new(set.clone(), e, Some("3".into())),
        )
        .await
        .unwrap_err();
    assert_eq!(taken.code(), "CONFLICT");
}
