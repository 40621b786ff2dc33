//! The positional decoders, checked by identity: rows written by column name, with a distinct
//! value in every column a decoder could confuse with another of its type, must read back
//! through every statement that decodes by position exactly as sea-orm decodes them by name.
//! A decoder with two columns swapped fails here.

use migration::MigratorTrait;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use super::edge::{LevelRead, Side};
use super::{aspect, connect, edge, entity};

/// Three entities, an edge between them declared by the third, and an aspect version, each
/// with ids and values no other column of its type shares.
async fn catalog() -> DatabaseConnection {
    let db = connect("sqlite::memory:")
        .await
        .expect("an in-memory catalog");
    migration::Migrator::up(&db, None).await.expect("migrated");
    for (id, n) in [(10, 1), (20, 2), (30, 3)] {
        entity::Entity::insert(entity::ActiveModel {
            id: Set(id),
            urn: Set(format!("urn:li:dataset:(urn:li:dataPlatform:p,d{n},PROD)")),
            entity_type: Set(format!("type-{n}")),
            name: Set(format!("name-{n}")),
            search_name: Set(format!("search-{n}")),
            platform: Set(Some(format!("platform-{n}"))),
            env: Set(Some(format!("env-{n}"))),
            namespace: Set(Some(format!("namespace-{n}"))),
            has_aspects: Set(true),
            removed: Set(false),
            created_at: Set(100 + n),
            updated_at: Set(200 + n),
        })
        .exec(&db)
        .await
        .expect("entity inserted");
    }
    edge::Entity::insert(edge::ActiveModel {
        id: Set(40),
        source_id: Set(10),
        destination_id: Set(20),
        relation: Set("Contains".into()),
        declared_by: Set(30),
        aspect: Set("declaringAspect".into()),
        created_at: Set(300),
        removed_at: Set(None),
    })
    .exec(&db)
    .await
    .expect("edge inserted");
    aspect::Entity::insert(aspect::ActiveModel {
        id: Set(50),
        entity_id: Set(10),
        name: Set("someAspect".into()),
        version: Set(7),
        is_latest: Set(true),
        value: Set("{\"a\":1}".into()),
        created_at: Set(400),
        actor: Set("someone".into()),
        run_id: Set(Some("run-1".into())),
        feed_key: Set(0),
    })
    .exec(&db)
    .await
    .expect("aspect inserted");
    db
}

fn sorted(mut rows: Vec<entity::Model>) -> Vec<entity::Model> {
    rows.sort_by_key(|r| r.id);
    rows
}

#[tokio::test]
async fn entity_rows_read_by_position_as_by_name() {
    let db = catalog().await;
    let by_name = sorted(entity::Entity::find().all(&db).await.unwrap());
    let urns: Vec<&str> = by_name.iter().map(|r| r.urn.as_str()).collect();
    let ids: Vec<i64> = by_name.iter().map(|r| r.id).collect();
    assert_eq!(sorted(entity::by_urns(&db, &urns).await.unwrap()), by_name);
    assert_eq!(sorted(entity::by_ids(&db, &ids).await.unwrap()), by_name);
    assert_eq!(entity::lock_by_urns(&db, &urns).await.unwrap().0, by_name);
    let mut pairs = entity::ids_by_urn(&db, &urns).await.unwrap();
    pairs.sort_by_key(|p| p.1);
    let want: Vec<(String, i64)> = by_name.iter().map(|r| (r.urn.clone(), r.id)).collect();
    assert_eq!(pairs, want);
}

#[tokio::test]
async fn edge_rows_and_their_ends_read_by_position_as_by_name() {
    let db = catalog().await;
    let edge = edge::Entity::find_by_id(40)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let ends = sorted(entity::Entity::find().all(&db).await.unwrap());
    for side in [Side::Leaving, Side::Both] {
        let found = edge::with_ends(&db, &[10], side, None, None).await.unwrap();
        assert_eq!(found.edges, vec![edge.clone()], "{side:?}");
        assert_eq!(found.ends[&10], ends[0], "{side:?}");
        assert_eq!(found.ends[&20], ends[1], "{side:?}");
        let as_of = edge::with_ends(&db, &[10], side, None, Some(350))
            .await
            .unwrap();
        assert_eq!(as_of.edges, vec![edge.clone()], "{side:?} as of a time");
        let level = edge::level(
            &db,
            LevelRead {
                from: &[10],
                side,
                to: None,
                relations: None,
                as_of: None,
                after: None,
                limit: Some(10),
            },
        )
        .await
        .unwrap();
        assert_eq!(level, vec![edge.clone()], "{side:?}");
    }
}

#[tokio::test]
async fn latest_aspects_read_by_position_as_by_name() {
    let db = catalog().await;
    let row = aspect::Entity::find_by_id(50)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let pairs = [(10, "someAspect")];
    assert_eq!(
        aspect::latest_values(&db, &pairs).await.unwrap(),
        vec![aspect::LatestValue {
            entity_id: row.entity_id,
            name: row.name.clone(),
            value: row.value.clone(),
        }]
    );
    assert_eq!(
        aspect::latest_for_write(&db, &pairs).await.unwrap(),
        vec![aspect::LatestRow {
            id: row.id,
            entity_id: row.entity_id,
            name: row.name.clone(),
            version: row.version,
            value: row.value.clone(),
        }]
    );
}
