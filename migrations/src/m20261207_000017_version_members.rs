//! The version index: `version_member`, one row per entity that is a version of a set, with
//! the set's entity id, the version's label, its sort id and the label's number when the label
//! is one. The write path keeps it from `versionProperties` in the same transaction from now
//! on; this migration fills it from the latest `versionProperties` already stored. A label
//! names at most one version of a set (a unique index); where stored versions share a label,
//! the one written first keeps it in the index and the others are left out (the write path
//! refuses such a label from now on). A version whose set has no entity row is left out too
//! (the write path gives every set a row, as the end of the version's `VersionOf` edge).
//!
//! It reads the aspect and entity tables as JSON text and columns, not through the
//! application's types: a migration never imports the application.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use serde_json::Value as Json;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000017_version_members"
    }
}

#[derive(DeriveIden)]
enum VersionMember {
    Table,
    EntityId,
    SetId,
    Label,
    SortId,
    Number,
}

#[derive(DeriveIden)]
enum Aspect {
    Table,
    Id,
    EntityId,
    Name,
    IsLatest,
    Value,
}

#[derive(DeriveIden)]
enum Entity {
    Table,
    Id,
    Urn,
}

const VERSION_PROPERTIES: &str = "versionProperties";
/// Latest aspect versions read at once, and rows written by one statement.
const PAGE: u64 = 500;

/// The sort id the write path gives a label that has none: each run of digits zero-padded to
/// 20, so `2` sorts before `10`.
fn sort_id_of(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 20);
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
            out.extend(std::iter::repeat_n(
                '0',
                20usize.saturating_sub(trimmed.len()),
            ));
            out.push_str(trimmed);
            digits.clear();
        }
    };
    for c in label.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// `(entity id, set URN, label, sort id, number)` of a stored `versionProperties`, or `None`
/// when it names no set or no label.
fn planned(entity_id: i64, value: &str) -> Option<(i64, String, String, String, Option<i64>)> {
    let v: Json = serde_json::from_str(value).ok()?;
    let set = v.get("versionSet")?.as_str()?.to_string();
    let label = v.get("version")?.get("versionTag")?.as_str()?.to_string();
    if label.is_empty() {
        return None;
    }
    let sort_id = match v.get("sortId").and_then(Json::as_str) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => sort_id_of(&label),
    };
    let number = label
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| label.parse::<i64>().ok())
        .flatten();
    Some((entity_id, set, label, sort_id, number))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VersionMember::Table)
                    .col(
                        ColumnDef::new(VersionMember::EntityId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(VersionMember::SetId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(VersionMember::Label).text().not_null())
                    .col(ColumnDef::new(VersionMember::SortId).text().not_null())
                    .col(ColumnDef::new(VersionMember::Number).big_integer().null())
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            (
                "uq_version_member_label",
                [VersionMember::SetId, VersionMember::Label],
                true,
            ),
            (
                "idx_version_member_sort",
                [VersionMember::SetId, VersionMember::SortId],
                false,
            ),
            (
                "idx_version_member_number",
                [VersionMember::SetId, VersionMember::Number],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(VersionMember::Table);
            for c in columns {
                index.col(c);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }

        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let mut after = 0i64;
        loop {
            let select = Query::select()
                .columns([Aspect::Id, Aspect::EntityId, Aspect::Value])
                .from(Aspect::Table)
                .and_where(Expr::col(Aspect::Name).eq(VERSION_PROPERTIES))
                .and_where(Expr::col(Aspect::IsLatest).eq(true))
                .and_where(Expr::col(Aspect::Id).gt(after))
                .order_by(Aspect::Id, Order::Asc)
                .limit(PAGE)
                .to_owned();
            let page = db.query_all(backend.build(&select)).await?;
            let mut plan = Vec::with_capacity(page.len());
            for row in &page {
                after = row.try_get_by_index(0)?;
                let value: String = row.try_get_by_index(2)?;
                plan.extend(planned(row.try_get_by_index(1)?, &value));
            }
            if !plan.is_empty() {
                let sets: Vec<&str> = plan.iter().map(|p| p.1.as_str()).collect();
                let ids = Query::select()
                    .columns([Entity::Id, Entity::Urn])
                    .from(Entity::Table)
                    .and_where(Expr::col(Entity::Urn).is_in(sets))
                    .to_owned();
                let mut set_ids = std::collections::HashMap::new();
                for row in db.query_all(backend.build(&ids)).await? {
                    let urn: String = row.try_get_by_index(1)?;
                    set_ids.insert(urn, row.try_get_by_index::<i64>(0)?);
                }
                let mut insert = Query::insert();
                insert.into_table(VersionMember::Table).columns([
                    VersionMember::EntityId,
                    VersionMember::SetId,
                    VersionMember::Label,
                    VersionMember::SortId,
                    VersionMember::Number,
                ]);
                let mut any = false;
                for (entity, set, label, sort_id, number) in plan {
                    let Some(set_id) = set_ids.get(&set) else {
                        continue;
                    };
                    insert.values_panic([
                        entity.into(),
                        (*set_id).into(),
                        label.into(),
                        sort_id.into(),
                        number.into(),
                    ]);
                    any = true;
                }
                insert.on_conflict(OnConflict::new().do_nothing().to_owned());
                if any {
                    db.execute(backend.build(&insert)).await?;
                }
            }
            if (page.len() as u64) < PAGE {
                break;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VersionMember::Table).to_owned())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_a_row_from_a_stored_aspect() {
        let stored = r#"{"versionSet":"urn:li:versionSet:(s,mlModel)","version":{"versionTag":"12"},"sortId":"x"}"#;
        assert_eq!(
            planned(7, stored),
            Some((
                7,
                "urn:li:versionSet:(s,mlModel)".into(),
                "12".into(),
                "x".into(),
                Some(12)
            ))
        );
        let unsorted =
            r#"{"versionSet":"urn:li:versionSet:(s,mlModel)","version":{"versionTag":"v2"}}"#;
        let (_, _, _, sort_id, number) = planned(7, unsorted).unwrap_or_default();
        assert_eq!(sort_id, "v00000000000000000002");
        assert_eq!(number, None);
        assert_eq!(planned(7, r#"{"versionSet":"x"}"#), None);
    }
}
