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

/// The version of the set that sorts last (by sort id, then URN), leaving out soft-deleted ones
/// and the entities `except` names: an index read backwards from the end of the set, stopping
/// at the first that qualifies.
pub async fn latest(
    db: &impl ConnectionTrait,
    set_id: i64,
    except: &[i64],
) -> Result<Option<Member>, DbErr> {
    let mut q = Sql::new(db.get_database_backend(), SELECT_MEMBER);
    q.bind(set_id).push(" AND NOT \"e\".\"removed\"");
    if !except.is_empty() {
        q.push(" AND \"m\".\"entity_id\" NOT IN ")
            .list(except.iter().copied());
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

/// How many versions the set of this URN has, soft-deleted ones too (0 when there is no such
/// set).
pub async fn count(db: &impl ConnectionTrait, set_urn: &str) -> Result<i64, DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "SELECT COUNT(*) FROM \"version_member\" \"m\" JOIN \"entity\" \"s\" ON \"s\".\"id\" = \
         \"m\".\"set_id\" WHERE \"s\".\"urn\" = ",
    );
    q.bind(set_urn);
    match q.rows(db).await?.first() {
        Some(row) => row.try_get_by_index(0),
        None => Ok(0),
    }
}

/// An entity's row, as [`row_and_aspect`] reads it: its id, whether it is soft-deleted, and the
/// latest value of the aspect asked, if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowAndAspect {
    pub id: i64,
    pub removed: bool,
    pub value: Option<String>,
}

/// The row of the entity of this URN and the latest value of its aspect `aspect`: one
/// statement (what a set's link counter is read with, and a version's `versionProperties`).
pub async fn row_and_aspect(
    db: &impl ConnectionTrait,
    urn: &str,
    aspect: &str,
) -> Result<Option<RowAndAspect>, DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "SELECT \"s\".\"id\", \"s\".\"removed\", (SELECT \"a\".\"value\" FROM \"aspect\" \"a\" \
         WHERE \"a\".\"entity_id\" = \"s\".\"id\" AND \"a\".\"is_latest\" = ",
    );
    // `is_latest` compared, not tested as a truth value, so the lookup uses `idx_aspect_latest`.
    q.bind(true)
        .push(" AND \"a\".\"name\" = ")
        .bind(aspect)
        .push(") FROM \"entity\" \"s\" WHERE \"s\".\"urn\" = ")
        .bind(urn);
    match q.rows(db).await?.first() {
        Some(row) => Ok(Some(RowAndAspect {
            id: row.try_get_by_index(0)?,
            removed: row.try_get_by_index(1)?,
            value: row.try_get_by_index(2)?,
        })),
        None => Ok(None),
    }
}

/// What a link reads of its set before writing, as [`link_state`] reads it.
pub struct LinkState {
    pub id: i64,
    /// The latest value of the set's aspect asked (its link counter).
    pub value: Option<String>,
    /// The highest number label among its versions.
    pub highest: Option<i64>,
    /// Its latest version, as [`latest`] picks it.
    pub latest: Option<Member>,
}

/// The row of the set of this URN, the latest value of its aspect `aspect`, its highest number
/// and its latest version: what [`row_and_aspect`], [`highest_number`] and [`latest`] read,
/// in one statement.
pub async fn link_state(
    db: &impl ConnectionTrait,
    urn: &str,
    aspect: &str,
) -> Result<Option<LinkState>, DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "SELECT \"s\".\"id\", (SELECT \"a\".\"value\" FROM \"aspect\" \"a\" \
         WHERE \"a\".\"entity_id\" = \"s\".\"id\" AND \"a\".\"is_latest\" = ",
    );
    q.bind(true)
        .push(" AND \"a\".\"name\" = ")
        .bind(aspect)
        .push(
            "), (SELECT MAX(\"x\".\"number\") FROM \"version_member\" \"x\" \
             WHERE \"x\".\"set_id\" = \"s\".\"id\"), \"m\".\"entity_id\", \"e\".\"urn\", \
             \"m\".\"label\", \"m\".\"sort_id\" FROM \"entity\" \"s\" \
             LEFT JOIN \"version_member\" \"m\" ON \"m\".\"entity_id\" = (SELECT \"l\".\"entity_id\" \
             FROM \"version_member\" \"l\" JOIN \"entity\" \"le\" ON \"le\".\"id\" = \"l\".\"entity_id\" \
             WHERE \"l\".\"set_id\" = \"s\".\"id\" AND NOT \"le\".\"removed\" \
             ORDER BY \"l\".\"sort_id\" DESC, \"le\".\"urn\" DESC LIMIT 1) \
             LEFT JOIN \"entity\" \"e\" ON \"e\".\"id\" = \"m\".\"entity_id\" WHERE \"s\".\"urn\" = ",
        )
        .bind(urn);
    let Some(row) = q.rows(db).await?.into_iter().next() else {
        return Ok(None);
    };
    let latest = match row.try_get_by_index::<Option<i64>>(3)? {
        Some(entity_id) => Some(Member {
            entity_id,
            urn: row.try_get_by_index(4)?,
            label: row.try_get_by_index(5)?,
            sort_id: row.try_get_by_index(6)?,
        }),
        None => None,
    };
    Ok(Some(LinkState {
        id: row.try_get_by_index(0)?,
        value: row.try_get_by_index(1)?,
        highest: row.try_get_by_index(2)?,
        latest,
    }))
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

/// What [`latest_by_tag_of_sets`] answers of one set: its row, and for each tag asked (in the
/// order asked) then for "none of them", the URN of the latest live version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestPerTag {
    pub set_id: i64,
    pub set_urn: String,
    pub tagged: Vec<Option<String>>,
    pub untagged: Option<String>,
}

/// A set of at most this many versions is read backwards for a tag's latest without counting
/// the tag's edges first.
const SMALL_SET: i64 = 64;

/// For each of these sets (by URN), the latest live version (as [`latest`] picks it) carrying
/// each of the tags `tag_urns` by a current `relation` edge, and the latest carrying none of
/// them: one statement for all. Each answer is an index read backwards from the end of its set
/// that stops at the first version that qualifies, or, for a tag that fewer versions of the
/// catalog carry than the set has, a read of the tag's edges. A set with no row in the index
/// is left out.
pub async fn latest_by_tag_of_sets(
    db: &impl ConnectionTrait,
    set_urns: &[&str],
    relation: &str,
    tag_urns: &[&str],
) -> Result<Vec<LatestPerTag>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::with_capacity(set_urns.len());
    for chunk in set_urns.chunks(CHUNK) {
        // The sets, each with its number of versions, counted once (materialized, so the
        // count is not made again wherever the columns below name it).
        let mut q = Sql::new(
            backend,
            "WITH \"s\" AS MATERIALIZED (SELECT \"s0\".\"id\" AS \"id\", \"s0\".\"urn\" AS \"urn\", \
             (SELECT COUNT(*) FROM \"version_member\" \"x\" WHERE \"x\".\"set_id\" = \"s0\".\"id\") \
             AS \"n\" FROM \"entity\" \"s0\" WHERE \"s0\".\"urn\" IN ",
        );
        q.list(chunk.iter().copied())
            .push(") SELECT \"s\".\"id\", \"s\".\"urn\"");
        // `+` keeps the tag's side from choosing the edge index: each version's own edges
        // of the relation are looked up (a few), not every edge to the tag (as many as the
        // catalog has versions in that stage).
        let latest = |q: &mut Sql, among: Option<(&str, &[&str])>| {
            q.push(
                "(SELECT \"e\".\"urn\" FROM \"version_member\" \"m\" JOIN \"entity\" \"e\" \
                 ON \"e\".\"id\" = \"m\".\"entity_id\" WHERE \"m\".\"set_id\" = \"s\".\"id\" AND \
                 NOT \"e\".\"removed\"",
            );
            if let Some((exists, tags)) = among {
                q.push(" AND ").push(exists).push(
                    " (SELECT 1 FROM \"edge\" \"g\" WHERE \"g\".\"source_id\" = \
                     \"m\".\"entity_id\" AND \"g\".\"relation\" = ",
                );
                q.bind(relation).push(
                    " AND \"g\".\"removed_at\" IS NULL AND +\"g\".\"destination_id\" IN \
                     (SELECT \"t\".\"id\" FROM \"entity\" \"t\" WHERE \"t\".\"urn\" IN ",
                );
                q.list(tags.iter().copied()).push("))");
            }
            q.push(" ORDER BY \"m\".\"sort_id\" DESC, \"e\".\"urn\" DESC LIMIT 1)");
        };
        // Each tag's latest is found from whichever side is smaller: the set, read backwards
        // (a set of a few versions, or a tag many versions carry), or the tag's own edges, the
        // latest of this set among them (a stage that only an old version of a big set holds:
        // from the set's end that walk reads every newer version). The edges counted include
        // removed ones: the count only chooses the side. A tag no entity has yet (a stage no
        // version of the catalog was ever in) has no edges, so nothing of a big set is read.
        let members = "\"s\".\"n\"";
        for t in tag_urns {
            let tag_id = |q: &mut Sql| {
                q.push("(SELECT \"t\".\"id\" FROM \"entity\" \"t\" WHERE \"t\".\"urn\" = ")
                    .bind(*t)
                    .push(")");
            };
            q.push(&format!(", CASE WHEN {members} > "))
                .bind(SMALL_SET)
                .push(
                    " AND (SELECT COUNT(*) FROM \"edge\" \"c\" WHERE \"c\".\"destination_id\" = ",
                );
            tag_id(&mut q);
            q.push(" AND \"c\".\"relation\" = ")
                .bind(relation)
                .push(&format!(
                    ") < {members} THEN (SELECT \"e\".\"urn\" FROM \"edge\" \"g\" \
                     JOIN \"version_member\" \"m\" ON \"m\".\"entity_id\" = \"g\".\"source_id\" \
                     JOIN \"entity\" \"e\" ON \"e\".\"id\" = \"m\".\"entity_id\" \
                     WHERE \"g\".\"destination_id\" = "
                ));
            tag_id(&mut q);
            q.push(" AND \"g\".\"relation\" = ").bind(relation).push(
                " AND \"g\".\"removed_at\" IS NULL AND \"m\".\"set_id\" = \"s\".\"id\" \
                     AND NOT \"e\".\"removed\" \
                     ORDER BY \"m\".\"sort_id\" DESC, \"e\".\"urn\" DESC LIMIT 1) ELSE ",
            );
            latest(&mut q, Some(("EXISTS", std::slice::from_ref(t))));
            q.push(" END");
        }
        q.push(", ");
        latest(
            &mut q,
            (!tag_urns.is_empty()).then_some(("NOT EXISTS", tag_urns)),
        );
        q.push(" FROM \"s\" WHERE \"s\".\"n\" > 0");
        for row in q.rows(db).await? {
            let mut tagged = Vec::with_capacity(tag_urns.len());
            for i in 0..tag_urns.len() {
                tagged.push(row.try_get_by_index(2 + i)?);
            }
            out.push(LatestPerTag {
                set_id: row.try_get_by_index(0)?,
                set_urn: row.try_get_by_index(1)?,
                tagged,
                untagged: row.try_get_by_index(2 + tag_urns.len())?,
            });
        }
    }
    Ok(out)
}
