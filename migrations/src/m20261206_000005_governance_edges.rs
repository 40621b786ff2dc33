//! Governance relations became edges: an entity's tags (`TaggedWith`), glossary terms
//! (`TermedWith`), owners (`OwnedBy`) and domains (`AssociatedWith`), a user's groups
//! (`IsMemberOfGroup`, `IsMemberOfNativeGroup`) and the parent of a glossary term, node or
//! domain (`IsPartOf`). The write path derives them from every aspect written from now on; this
//! migration derives them from the latest versions already stored, as the write path would have:
//! one edge from the entity holding the aspect to each entity it names, made when that version
//! was written, and a row (not yet written, `has_aspects` false) for a named entity that has
//! none. An element whose URN does not parse as the write path parses it, or names an entity of
//! the wrong type, makes no edge. Down removes the edges of these relations (older code knows
//! no such relation); the rows it made stay, as referenced entities.
//!
//! It reads the aspect and entity tables as JSON text and columns, not through the
//! application's types: a migration never imports the application.

use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, QueryResult};
use serde_json::Value as Json;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000005_governance_edges"
    }
}

#[derive(DeriveIden)]
#[expect(clippy::enum_variant_names, reason = "the column is named entity_type")]
enum Entity {
    Table,
    Id,
    Urn,
    EntityType,
    Name,
    SearchName,
    HasAspects,
    Removed,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Aspect {
    Table,
    Id,
    EntityId,
    Name,
    IsLatest,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Edge {
    Table,
    SourceId,
    DestinationId,
    Relation,
    DeclaredBy,
    Aspect,
    CreatedAt,
    RemovedAt,
}

/// The relations this migration derives, as the edge table spells them.
const RELATIONS: &[&str] = &[
    "TaggedWith",
    "TermedWith",
    "OwnedBy",
    "AssociatedWith",
    "IsMemberOfGroup",
    "IsMemberOfNativeGroup",
    "IsPartOf",
];

/// The aspects that declare them.
const ASPECTS: &[&str] = &[
    "globalTags",
    "glossaryTerms",
    "ownership",
    "domains",
    "groupMembership",
    "nativeGroupMembership",
    "glossaryTermInfo",
    "glossaryNodeInfo",
    "domainProperties",
];

/// Latest aspect versions read at once.
const PAGE: u64 = 500;
/// Rows written by one statement (at most 11 values each, well under either backend's limit).
const CHUNK: usize = 500;
/// Longest URN the write path accepts, in bytes.
const MAX_URN_LEN: usize = 1024;

/// One edge to make: `declared_by` holds `aspect`, which names `target`.
struct Found {
    declared_by: i64,
    aspect: String,
    relation: &'static str,
    target: String,
    /// Its entity type, as the URN spells it.
    target_type: String,
    /// Its name: the key of the URN.
    target_name: String,
    created_at: i64,
}

/// Edges of some relations derived from the latest stored versions of the aspects that declare
/// them, as the write path derives them from a new version. Later migrations that turn more of
/// what aspects name into edges use it with their own relations.
pub(crate) struct Derivation {
    /// The relations derived, as the edge table spells them.
    pub relations: &'static [&'static str],
    /// The aspects that declare them.
    pub aspects: &'static [&'static str],
    /// Whether an entity of a type (second) carries an aspect (first).
    pub carries: fn(&str, &str) -> bool,
    /// What an aspect's value names: each URN with its relation and the entity types it may be.
    pub named: for<'a> fn(&str, &'a Json) -> Vec<Named<'a>>,
}

/// A URN an aspect names, with its relation and the entity types it may be.
pub(crate) type Named<'a> = (&'static str, &'a Json, &'static [&'static str]);

/// The governance relations of this migration.
const GOVERNANCE: Derivation = Derivation {
    relations: RELATIONS,
    aspects: ASPECTS,
    carries,
    named,
};

/// Whether an entity of type `owner` carries `aspect` (as the write path checks it).
fn carries(aspect: &str, owner: &str) -> bool {
    match aspect {
        "groupMembership" | "nativeGroupMembership" => owner == "corpuser",
        "glossaryTermInfo" => owner == "glossaryTerm",
        "glossaryNodeInfo" => owner == "glossaryNode",
        "domainProperties" => owner == "domain",
        _ => owner != "dataPlatform",
    }
}

/// The URNs an aspect names, each with its relation and the entity types it may be.
fn named<'a>(aspect: &str, value: &'a Json) -> Vec<Named<'a>> {
    let each = |list: &'a str, field: Option<&'a str>| each(value, list, field);
    match aspect {
        "globalTags" => with("TaggedWith", &["tag"], each("tags", Some("tag"))),
        "glossaryTerms" => with("TermedWith", &["glossaryTerm"], each("terms", Some("urn"))),
        "ownership" => with(
            "OwnedBy",
            &["corpuser", "corpGroup"],
            each("owners", Some("owner")),
        ),
        "domains" => with("AssociatedWith", &["domain"], each("domains", None)),
        "groupMembership" => with("IsMemberOfGroup", &["corpGroup"], each("groups", None)),
        "nativeGroupMembership" => with(
            "IsMemberOfNativeGroup",
            &["corpGroup"],
            each("nativeGroups", None),
        ),
        "glossaryTermInfo" | "glossaryNodeInfo" => with(
            "IsPartOf",
            &["glossaryNode"],
            value.get("parentNode").into_iter().collect(),
        ),
        "domainProperties" => with(
            "IsPartOf",
            &["domain"],
            value.get("parentDomain").into_iter().collect(),
        ),
        _ => Vec::new(),
    }
}

/// The items of the list at `list` of `value`, or the field `field` of each.
pub(crate) fn each<'a>(value: &'a Json, list: &str, field: Option<&str>) -> Vec<&'a Json> {
    value
        .get(list)
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| match field {
                    Some(f) => item.get(f),
                    None => Some(item),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `urns` as named with `relation`, each of one of `kinds`.
pub(crate) fn with<'a>(
    relation: &'static str,
    kinds: &'static [&'static str],
    urns: Vec<&'a Json>,
) -> Vec<Named<'a>> {
    urns.into_iter().map(|u| (relation, u, kinds)).collect()
}

/// The entity type and key of a governance URN the write path accepts and that is of one of
/// `kinds`: `urn:li:<type>:<key>`, at most [`MAX_URN_LEN`] bytes, no control characters, a
/// non-empty key with balanced parentheses. `None` for anything else.
fn governance_urn<'a>(urn: &'a str, kinds: &[&str]) -> Option<(&'a str, &'a str)> {
    if urn.len() > MAX_URN_LEN || urn.chars().any(char::is_control) {
        return None;
    }
    let (kind, key) = urn.strip_prefix("urn:li:")?.split_once(':')?;
    if !kinds.contains(&kind) || key.is_empty() {
        return None;
    }
    let mut depth = 0i32;
    for b in key.bytes() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then_some((kind, key))
}

/// The edges one stored aspect declares.
fn declared(how: &Derivation, row: &QueryResult) -> Result<Vec<Found>, DbErr> {
    let owner: i64 = row.try_get_by_index(1)?;
    let aspect: String = row.try_get_by_index(2)?;
    let text: String = row.try_get_by_index(3)?;
    let created_at: i64 = row.try_get_by_index(4)?;
    let owner_type: String = row.try_get_by_index(5)?;
    if !(how.carries)(&aspect, &owner_type) {
        return Ok(Vec::new());
    }
    // A stored value that is not JSON (none should be) declares nothing.
    let Ok(value) = serde_json::from_str::<Json>(&text) else {
        return Ok(Vec::new());
    };
    let mut seen = HashSet::new();
    Ok((how.named)(&aspect, &value)
        .into_iter()
        .filter_map(|(relation, urn, kinds)| {
            let urn = urn.as_str()?;
            let (kind, key) = governance_urn(urn, kinds)?;
            seen.insert((relation, urn)).then(|| Found {
                declared_by: owner,
                aspect: aspect.clone(),
                relation,
                target: urn.to_string(),
                target_type: kind.to_string(),
                target_name: key.to_string(),
                created_at,
            })
        })
        .collect())
}

/// One page of the latest versions of the aspects of `how` after aspect id `after`, with the
/// type of their entity: `(aspect id, entity id, name, value, created_at, entity type)`.
async fn latest_page(
    db: &impl ConnectionTrait,
    how: &Derivation,
    after: i64,
) -> Result<Vec<QueryResult>, DbErr> {
    let q = Query::select()
        .column((Aspect::Table, Aspect::Id))
        .column((Aspect::Table, Aspect::EntityId))
        .column((Aspect::Table, Aspect::Name))
        .column((Aspect::Table, Aspect::Value))
        .column((Aspect::Table, Aspect::CreatedAt))
        .column((Entity::Table, Entity::EntityType))
        .from(Aspect::Table)
        .inner_join(
            Entity::Table,
            Expr::col((Entity::Table, Entity::Id)).equals((Aspect::Table, Aspect::EntityId)),
        )
        .and_where(Expr::col((Aspect::Table, Aspect::IsLatest)).eq(true))
        .and_where(Expr::col((Aspect::Table, Aspect::Name)).is_in(how.aspects.iter().copied()))
        .and_where(Expr::col((Aspect::Table, Aspect::Id)).gt(after))
        .order_by((Aspect::Table, Aspect::Id), Order::Asc)
        .limit(PAGE)
        .to_owned();
    db.query_all(db.get_database_backend().build(&q)).await
}

/// Gives each target a row where it has none, and returns the ids of all of them by URN.
async fn ensure_rows(
    db: &impl ConnectionTrait,
    found: &[Found],
) -> Result<HashMap<String, i64>, DbErr> {
    let backend = db.get_database_backend();
    let mut firsts: Vec<&Found> = Vec::new();
    let mut seen = HashSet::new();
    for f in found {
        if seen.insert(f.target.as_str()) {
            firsts.push(f);
        }
    }
    let mut ids = HashMap::with_capacity(firsts.len());
    for chunk in firsts.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(Entity::Table).columns([
            Entity::Urn,
            Entity::EntityType,
            Entity::Name,
            Entity::SearchName,
            Entity::HasAspects,
            Entity::Removed,
            Entity::CreatedAt,
            Entity::UpdatedAt,
        ]);
        for f in chunk {
            insert.values_panic([
                f.target.clone().into(),
                f.target_type.clone().into(),
                f.target_name.clone().into(),
                f.target_name.to_lowercase().into(),
                false.into(),
                false.into(),
                f.created_at.into(),
                f.created_at.into(),
            ]);
        }
        insert.on_conflict(OnConflict::column(Entity::Urn).do_nothing().to_owned());
        db.execute(backend.build(&insert)).await?;
        let select = Query::select()
            .column(Entity::Urn)
            .column(Entity::Id)
            .from(Entity::Table)
            .and_where(Expr::col(Entity::Urn).is_in(chunk.iter().map(|f| f.target.clone())))
            .to_owned();
        for row in db.query_all(backend.build(&select)).await? {
            ids.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        }
    }
    Ok(ids)
}

/// The current edges of the relations of `how` declared by `owners`, as
/// `(declared_by, aspect, source, destination, relation)`, so running again adds nothing twice.
async fn existing(
    db: &impl ConnectionTrait,
    how: &Derivation,
    owners: &[i64],
) -> Result<HashSet<(i64, String, i64, i64, String)>, DbErr> {
    let q = Query::select()
        .columns([
            Edge::DeclaredBy,
            Edge::Aspect,
            Edge::SourceId,
            Edge::DestinationId,
            Edge::Relation,
        ])
        .from(Edge::Table)
        .and_where(Expr::col(Edge::DeclaredBy).is_in(owners.iter().copied()))
        .and_where(Expr::col(Edge::Relation).is_in(how.relations.iter().copied()))
        .and_where(Expr::col(Edge::RemovedAt).is_null())
        .to_owned();
    db.query_all(db.get_database_backend().build(&q))
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
                row.try_get_by_index(3)?,
                row.try_get_by_index(4)?,
            ))
        })
        .collect()
}

/// Writes the edges one page of aspects declares.
async fn derive(
    db: &impl ConnectionTrait,
    how: &Derivation,
    found: Vec<Found>,
) -> Result<(), DbErr> {
    if found.is_empty() {
        return Ok(());
    }
    let ids = ensure_rows(db, &found).await?;
    let owners: Vec<i64> = found
        .iter()
        .map(|f| f.declared_by)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut have = HashSet::new();
    for chunk in owners.chunks(CHUNK) {
        have.extend(existing(db, how, chunk).await?);
    }
    let mut rows = Vec::with_capacity(found.len());
    for f in &found {
        let Some(&target) = ids.get(&f.target) else {
            return Err(DbErr::Custom(format!(
                "no row for {} after making it",
                f.target
            )));
        };
        let key = (
            f.declared_by,
            f.aspect.clone(),
            f.declared_by,
            target,
            f.relation.to_string(),
        );
        if have.insert(key) {
            rows.push((f, target));
        }
    }
    for chunk in rows.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(Edge::Table).columns([
            Edge::SourceId,
            Edge::DestinationId,
            Edge::Relation,
            Edge::DeclaredBy,
            Edge::Aspect,
            Edge::CreatedAt,
        ]);
        for (f, target) in chunk {
            insert.values_panic([
                f.declared_by.into(),
                (*target).into(),
                f.relation.into(),
                f.declared_by.into(),
                f.aspect.clone().into(),
                f.created_at.into(),
            ]);
        }
        db.execute(db.get_database_backend().build(&insert)).await?;
    }
    Ok(())
}

/// Derives the edges of `how` from every latest stored version of its aspects.
pub(crate) async fn derive_all(db: &impl ConnectionTrait, how: &Derivation) -> Result<(), DbErr> {
    let mut after = 0i64;
    loop {
        let page = latest_page(db, how, after).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.try_get_by_index(0)?;
        let mut found = Vec::new();
        for row in &page {
            found.extend(declared(how, row)?);
        }
        derive(db, how, found).await?;
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    Ok(())
}

/// Removes every edge of `relations` (older code knows no such relation).
pub(crate) async fn remove_all(
    db: &impl ConnectionTrait,
    relations: &'static [&'static str],
) -> Result<(), DbErr> {
    let q = Query::delete()
        .from_table(Edge::Table)
        .and_where(Expr::col(Edge::Relation).is_in(relations.iter().copied()))
        .to_owned();
    db.execute(db.get_database_backend().build(&q)).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        derive_all(manager.get_connection(), &GOVERNANCE).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove_all(manager.get_connection(), RELATIONS).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn governance_urns_parse_as_the_write_path_parses_them() {
        assert_eq!(
            governance_urn("urn:li:tag:pii", &["tag"]),
            Some(("tag", "pii"))
        );
        assert_eq!(
            governance_urn("urn:li:corpGroup:ml", &["corpuser", "corpGroup"]),
            Some(("corpGroup", "ml"))
        );
        assert_eq!(governance_urn("urn:li:domain:x", &["tag"]), None);
        assert_eq!(governance_urn("urn:li:tag:", &["tag"]), None);
        assert_eq!(governance_urn("tag:pii", &["tag"]), None);
        assert_eq!(governance_urn("urn:li:tag:a)(", &["tag"]), None);
        assert_eq!(governance_urn("urn:li:tag:a\nb", &["tag"]), None);
    }
}
