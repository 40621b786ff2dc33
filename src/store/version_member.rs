//! The version index: one row per entity that is a version of a set (its `versionProperties`),
//! with the set's entity id, the label, the sort id and the label's number when it is one.
//! It is derived by the write path from `versionProperties` in the same transaction, so it is
//! never behind; what it buys is that a set of thousands of versions answers "which is the
//! latest", "which holds label L", "the highest number" and "the latest carrying tag T" by an
//! index read instead of reading every version. A label names at most one version of a set
//! (a unique index).

use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, QueryResult};

use super::sql::{self, Sql};
use super::CHUNK;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "version_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: i64,
    pub set_id: i64,
    pub label: String,
    pub sort_id: String,
    pub number: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A version as the index answers it: its row and its entity's URN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub entity_id: i64,
    pub urn: String,
    pub label: String,
    pub sort_id: String,
}

fn member(row: &QueryResult) -> Result<Member, DbErr> {
    Ok(Member {
        entity_id: row.try_get_by_index(0)?,
        urn: row.try_get_by_index(1)?,
        label: row.try_get_by_index(2)?,
        sort_id: row.try_get_by_index(3)?,
    })
}

const SELECT_MEMBER: &str = "SELECT \"m\".\"entity_id\", \"e\".\"urn\", \"m\".\"label\", \
     \"m\".\"sort_id\" FROM \"version_member\" \"m\" JOIN \"entity\" \"e\" ON \"e\".\"id\" = \
     \"m\".\"entity_id\" WHERE \"m\".\"set_id\" = ";

/// Writes these rows, replacing each entity's row (an entity is a version of one set).
pub async fn upsert(db: &impl ConnectionTrait, rows: &[Model]) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK / 10) {
        let values = chunk.iter().map(|r| {
            vec![
                Value::from(r.entity_id),
                Value::from(r.set_id),
                Value::from(r.label.clone()),
                Value::from(r.sort_id.clone()),
                Value::from(r.number),
            ]
        });
        let mut q = sql::insert(
            db.get_database_backend(),
            "version_member",
            &[
                Column::EntityId,
                Column::SetId,
                Column::Label,
                Column::SortId,
                Column::Number,
            ],
            values,
        );
        q.push(
            " ON CONFLICT (\"entity_id\") DO UPDATE SET \"set_id\" = excluded.\"set_id\", \
             \"label\" = excluded.\"label\", \"sort_id\" = excluded.\"sort_id\", \
             \"number\" = excluded.\"number\"",
        );
        q.execute(db).await?;
    }
    Ok(())
}

/// Removes the rows of these entities (they stopped being versions).
pub async fn delete(db: &impl ConnectionTrait, entity_ids: &[i64]) -> Result<(), DbErr> {
    for chunk in entity_ids.chunks(CHUNK) {
        let mut q = Sql::new(
            db.get_database_backend(),
            "DELETE FROM \"version_member\" WHERE \"entity_id\" IN ",
        );
        q.list(chunk.iter().copied());
        q.execute(db).await?;
    }
    Ok(())
}

/// Removes the rows an erased entity appears in, as a version or as a set.
pub async fn delete_touching(db: &impl ConnectionTrait, entity_id: i64) -> Result<(), DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "DELETE FROM \"version_member\" WHERE \"entity_id\" = ",
    );
    q.bind(entity_id).push(" OR \"set_id\" = ").bind(entity_id);
    q.execute(db).await
}

/// The rows holding these labels in these sets, as `(set id, label, entity id)`: what a new
/// label would collide with.
pub async fn holders(
    db: &impl ConnectionTrait,
    wanted: &[(i64, &str)],
) -> Result<Vec<(i64, String, i64)>, DbErr> {
    let mut out = Vec::new();
    for chunk in wanted.chunks(CHUNK / 2) {
        let mut q = Sql::new(
            db.get_database_backend(),
            "SELECT \"set_id\", \"label\", \"entity_id\" FROM \"version_member\" WHERE ",
        );
        for (i, (set, label)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(\"set_id\" = ")
                .bind(*set)
                .push(" AND \"label\" = ")
                .bind(*label)
                .push(")");
        }
        for row in q.rows(db).await? {
            out.push((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ));
        }
    }
    Ok(out)
}

/// Which versions [`latest`] looks among.
#[derive(Clone, Copy, Debug, Default)]
pub struct Among<'a> {
    /// Leave these entities out.
    pub except: &'a [i64],
    /// Only versions with a current edge of this relation to this entity.
    pub with: Option<(&'a str, i64)>,
    /// Only versions with no current edge of this relation to any of these entities.
    pub without: Option<(&'a str, &'a [i64])>,
}

/// The version of the set that sorts last (by sort id, then URN) among those `among` names,
/// leaving out soft-deleted ones: an index read backwards from the end of the set, stopping at
/// the first that qualifies.
pub async fn latest(
    db: &impl ConnectionTrait,
    set_id: i64,
    among: Among<'_>,
) -> Result<Option<Member>, DbErr> {
    let mut q = Sql::new(db.get_database_backend(), SELECT_MEMBER);
    q.bind(set_id).push(" AND NOT \"e\".\"removed\"");
    if !among.except.is_empty() {
        q.push(" AND \"m\".\"entity_id\" NOT IN ")
            .list(among.except.iter().copied());
    }
    let edge = " FROM \"edge\" \"g\" WHERE \"g\".\"source_id\" = \"m\".\"entity_id\" \
                AND \"g\".\"removed_at\" IS NULL AND \"g\".\"relation\" = ";
    if let Some((relation, to)) = among.with {
        q.push(" AND EXISTS (SELECT 1")
            .push(edge)
            .bind(relation)
            .push(" AND \"g\".\"destination_id\" = ")
            .bind(to)
            .push(")");
    }
    if let Some((relation, to)) = among.without.filter(|(_, to)| !to.is_empty()) {
        q.push(" AND NOT EXISTS (SELECT 1")
            .push(edge)
            .bind(relation)
            .push(" AND \"g\".\"destination_id\" IN ")
            .list(to.iter().copied())
            .push(")");
    }
    q.push(" ORDER BY \"m\".\"sort_id\" DESC, \"e\".\"urn\" DESC LIMIT 1");
    q.rows(db).await?.first().map(member).transpose()
}

/// The version of the set labelled `label`, soft-deleted or not.
pub async fn by_label(
    db: &impl ConnectionTrait,
    set_id: i64,
    label: &str,
) -> Result<Option<Member>, DbErr> {
    let mut q = Sql::new(db.get_database_backend(), SELECT_MEMBER);
    q.bind(set_id).push(" AND \"m\".\"label\" = ").bind(label);
    q.rows(db).await?.first().map(member).transpose()
}

/// The highest number label of the set, if it has one.
pub async fn highest_number(db: &impl ConnectionTrait, set_id: i64) -> Result<Option<i64>, DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "SELECT MAX(\"number\") FROM \"version_member\" WHERE \"set_id\" = ",
    );
    q.bind(set_id);
    match q.rows(db).await?.first() {
        Some(row) => row.try_get_by_index(0),
        None => Ok(None),
    }
}

/// How many versions the set has, soft-deleted ones too.
pub async fn count(db: &impl ConnectionTrait, set_id: i64) -> Result<i64, DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "SELECT COUNT(*) FROM \"version_member\" WHERE \"set_id\" = ",
    );
    q.bind(set_id);
    match q.rows(db).await?.first() {
        Some(row) => row.try_get_by_index(0),
        None => Ok(0),
    }
}

/// The latest version (as [`latest`] picks it) of each of these sets, by the sets' URNs, as
/// `(set URN, latest version's URN)`: one statement, an index read backwards per set. A set
/// without a row or without a live version is left out.
pub async fn latest_of_sets(
    db: &impl ConnectionTrait,
    set_urns: &[&str],
) -> Result<Vec<(String, String)>, DbErr> {
    let mut out = Vec::with_capacity(set_urns.len());
    for chunk in set_urns.chunks(CHUNK) {
        let mut q = Sql::new(
            db.get_database_backend(),
            "SELECT \"s\".\"urn\", (SELECT \"e\".\"urn\" FROM \"version_member\" \"m\" JOIN \
             \"entity\" \"e\" ON \"e\".\"id\" = \"m\".\"entity_id\" WHERE \"m\".\"set_id\" = \
             \"s\".\"id\" AND NOT \"e\".\"removed\" ORDER BY \"m\".\"sort_id\" DESC, \
             \"e\".\"urn\" DESC LIMIT 1) FROM \"entity\" \"s\" WHERE \"s\".\"urn\" IN ",
        );
        q.list(chunk.iter().copied());
        for row in q.rows(db).await? {
            let latest: Option<String> = row.try_get_by_index(1)?;
            if let Some(latest) = latest {
                out.push((row.try_get_by_index(0)?, latest));
            }
        }
    }
    Ok(out)
}
