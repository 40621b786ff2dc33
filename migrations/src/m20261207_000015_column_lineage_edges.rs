//! Column lineage and a job's inputs and outputs became edges: a dataset's
//! `upstreamLineage.fineGrainedLineages` and a job's `dataJobInputOutput` (its
//! `fineGrainedLineages` too) make upstream field → downstream field (`DownstreamOf`, between
//! `urn:li:schemaField:(<dataset urn>,<field path>)` entities), and `dataJobInputOutput` makes
//! input → job (`Consumes`), job → output (`Produces`) and earlier job → job (`DownstreamOf`).
//! The write path derives them from every version written from now on; this migration derives
//! them from the latest versions already stored, as the write path would have: each edge declared
//! by the entity holding the aspect, made when that version was written, with a row (not yet
//! written) for an end that has none. Unlike the governance edges
//! (`m20261206_000005_governance_edges`), an edge here need not start or end at the entity that
//! declares it, so this migration plans its edges itself. An element whose URN does not parse as
//! the write path parses it, or names an entity of the wrong type, makes no edge. Down removes
//! the edges of `dataJobInputOutput` and the field-to-field edges of `upstreamLineage` (older
//! code declared neither); the rows it made stay, as referenced entities.
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
        "m20261207_000015_column_lineage_edges"
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
    Platform,
    Env,
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

const UPSTREAM_LINEAGE: &str = "upstreamLineage";
const JOB_IO: &str = "dataJobInputOutput";

/// Latest aspect versions read at once.
const PAGE: u64 = 500;
/// Rows written by one statement (at most 12 values each, well under either backend's limit).
const CHUNK: usize = 500;
/// Longest URN the write path accepts, in bytes.
const MAX_URN_LEN: usize = 1024;
/// The environments a dataset's or model's URN may end with (the write path's list).
const FABRIC_TYPES: &[&str] = &[
    "DEV", "TEST", "QA", "UAT", "EI", "PRE", "STG", "NON_PROD", "PROD", "CORP", "RVW", "PRD",
    "TST", "SIT", "SBX", "SANDBOX",
];

/// An entity an edge ends at, with the key parts its row holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct End {
    urn: String,
    kind: String,
    name: String,
    platform: Option<String>,
    env: Option<String>,
}

/// One edge to make.
struct Planned {
    source: End,
    destination: End,
    relation: &'static str,
    declared_by: i64,
    aspect: &'static str,
    created_at: i64,
}

/// The byte offsets of the top-level commas of `inner`, or `None` when its parentheses do not
/// balance.
fn commas(inner: &str) -> Option<Vec<usize>> {
    let (mut depth, mut at) = (0i32, Vec::new());
    for (i, b) in inner.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            b',' if depth == 0 => at.push(i),
            _ => {}
        }
    }
    (depth == 0).then_some(at)
}

/// `value` as an entity of one of `kinds`, parsed as the write path parses it; `None` for
/// anything it would refuse.
fn end(value: &Json, kinds: &[&str]) -> Option<End> {
    let urn = value.as_str()?;
    if urn.len() > MAX_URN_LEN || urn.chars().any(char::is_control) {
        return None;
    }
    let (kind, key) = urn.strip_prefix("urn:li:")?.split_once(':')?;
    if !kinds.contains(&kind) || key.is_empty() {
        return None;
    }
    let inner = || key.strip_prefix('(')?.strip_suffix(')');
    let platform_of = |part: &str| {
        let name = part.strip_prefix("urn:li:dataPlatform:")?;
        (!name.is_empty() && !name.contains(['(', ')', ','])).then(|| name.to_string())
    };
    let mut found = End {
        urn: urn.to_string(),
        kind: kind.to_string(),
        name: key.to_string(),
        platform: None,
        env: None,
    };
    match kind {
        "dataset" | "mlModel" => {
            let inner = inner()?;
            let at = commas(inner)?;
            let (first, last) = (*at.first()?, *at.last()?);
            if at.len() < 2 {
                return None;
            }
            let env = &inner[last + 1..];
            let name = &inner[first + 1..last];
            if !FABRIC_TYPES.contains(&env) || name.trim().is_empty() {
                return None;
            }
            found.platform = Some(platform_of(&inner[..first])?);
            found.env = Some(env.to_string());
            found.name = name.to_string();
        }
        "mlFeatureTable" => {
            let inner = inner()?;
            let first = *commas(inner)?.first()?;
            let name = &inner[first + 1..];
            if name.trim().is_empty() {
                return None;
            }
            found.platform = Some(platform_of(&inner[..first])?);
            found.name = name.to_string();
        }
        "schemaField" => {
            // `(<dataset urn>,<field path>)`: the dataset must parse, the path not be empty.
            let inner = inner()?;
            let first = *commas(inner)?.first()?;
            end(&Json::from(&inner[..first]), &["dataset"])?;
            if inner[first + 1..].trim().is_empty() {
                return None;
            }
        }
        _ => commas(key).map(|_| ())?,
    }
    Some(found)
}

/// The items of the list at `list` of `value`, or the field `field` of each.
fn each<'a>(value: &'a Json, list: &str, field: Option<&str>) -> Vec<&'a Json> {
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

/// The field-to-field edges of a `fineGrainedLineages` list: every upstream of an entry feeds
/// every downstream of it. Upstreams are fields, or datasets for an `upstreamType` of DATASET.
fn fine_grained(value: &Json) -> Vec<(End, End)> {
    let mut out = Vec::new();
    for entry in each(value, "fineGrainedLineages", None) {
        let dataset = entry.get("upstreamType").and_then(Json::as_str) == Some("DATASET");
        let upstream_kinds: &[&str] = if dataset {
            &["dataset"]
        } else {
            &["schemaField"]
        };
        let ups: Vec<End> = each(entry, "upstreams", None)
            .into_iter()
            .filter_map(|u| end(u, upstream_kinds))
            .collect();
        let downs: Vec<End> = each(entry, "downstreams", None)
            .into_iter()
            .filter_map(|d| end(d, &["schemaField"]))
            .collect();
        for up in &ups {
            for down in &downs {
                out.push((up.clone(), down.clone()));
            }
        }
    }
    out
}

/// The URNs of a list of URNs and of its `...Edges` twin (each `destinationUrn`), in order.
fn both<'a>(value: &'a Json, list: &str, edges: &str) -> Vec<&'a Json> {
    let mut out = each(value, list, None);
    out.extend(each(value, edges, Some("destinationUrn")));
    out
}

/// The edges one stored aspect declares.
fn planned(row: &QueryResult) -> Result<Vec<Planned>, DbErr> {
    let owner_id: i64 = row.try_get_by_index(1)?;
    let aspect: String = row.try_get_by_index(2)?;
    let text: String = row.try_get_by_index(3)?;
    let created_at: i64 = row.try_get_by_index(4)?;
    let owner_type: String = row.try_get_by_index(5)?;
    let owner_urn: String = row.try_get_by_index(6)?;
    // A stored value that is not JSON (none should be) declares nothing.
    let Ok(value) = serde_json::from_str::<Json>(&text) else {
        return Ok(Vec::new());
    };
    let (aspect, pairs): (&'static str, Vec<(End, End, &'static str)>) =
        match (aspect.as_str(), owner_type.as_str()) {
            (UPSTREAM_LINEAGE, "dataset") => (
                UPSTREAM_LINEAGE,
                fine_grained(&value)
                    .into_iter()
                    .map(|(u, d)| (u, d, "DownstreamOf"))
                    .collect(),
            ),
            (JOB_IO, "dataJob") => {
                let Some(job) = end(&Json::from(owner_urn.as_str()), &["dataJob"]) else {
                    return Ok(Vec::new());
                };
                let data = ["dataset", "mlModel", "mlFeatureTable"];
                let mut pairs = Vec::new();
                for input in both(&value, "inputDatasets", "inputDatasetEdges") {
                    if let Some(input) = end(input, &data) {
                        pairs.push((input, job.clone(), "Consumes"));
                    }
                }
                for output in both(&value, "outputDatasets", "outputDatasetEdges") {
                    if let Some(output) = end(output, &data) {
                        pairs.push((job.clone(), output, "Produces"));
                    }
                }
                for earlier in both(&value, "inputDatajobs", "inputDatajobEdges") {
                    if let Some(earlier) = end(earlier, &["dataJob"]) {
                        pairs.push((earlier, job.clone(), "DownstreamOf"));
                    }
                }
                pairs.extend(
                    fine_grained(&value)
                        .into_iter()
                        .map(|(u, d)| (u, d, "DownstreamOf")),
                );
                (JOB_IO, pairs)
            }
            _ => return Ok(Vec::new()),
        };
    let mut seen = HashSet::new();
    Ok(pairs
        .into_iter()
        .filter(|(s, d, r)| seen.insert((s.urn.clone(), d.urn.clone(), *r)))
        .map(|(source, destination, relation)| Planned {
            source,
            destination,
            relation,
            declared_by: owner_id,
            aspect,
            created_at,
        })
        .collect())
}

/// One page of the latest `upstreamLineage` and `dataJobInputOutput` versions after aspect id
/// `after`: `(aspect id, entity id, name, value, created_at, entity type, entity urn)`.
async fn latest_page(db: &impl ConnectionTrait, after: i64) -> Result<Vec<QueryResult>, DbErr> {
    let q = Query::select()
        .column((Aspect::Table, Aspect::Id))
        .column((Aspect::Table, Aspect::EntityId))
        .column((Aspect::Table, Aspect::Name))
        .column((Aspect::Table, Aspect::Value))
        .column((Aspect::Table, Aspect::CreatedAt))
        .column((Entity::Table, Entity::EntityType))
        .column((Entity::Table, Entity::Urn))
        .from(Aspect::Table)
        .inner_join(
            Entity::Table,
            Expr::col((Entity::Table, Entity::Id)).equals((Aspect::Table, Aspect::EntityId)),
        )
        .and_where(Expr::col((Aspect::Table, Aspect::IsLatest)).eq(true))
        .and_where(Expr::col((Aspect::Table, Aspect::Name)).is_in([UPSTREAM_LINEAGE, JOB_IO]))
        .and_where(Expr::col((Aspect::Table, Aspect::Id)).gt(after))
        .order_by((Aspect::Table, Aspect::Id), Order::Asc)
        .limit(PAGE)
        .to_owned();
    db.query_all(db.get_database_backend().build(&q)).await
}

/// Gives each end a row where it has none, and returns the ids of all of them by URN.
async fn ensure_rows(
    db: &impl ConnectionTrait,
    plan: &[Planned],
) -> Result<HashMap<String, i64>, DbErr> {
    let backend = db.get_database_backend();
    let mut firsts: Vec<(&End, i64)> = Vec::new();
    let mut seen = HashSet::new();
    for p in plan {
        for e in [&p.source, &p.destination] {
            if seen.insert(e.urn.as_str()) {
                firsts.push((e, p.created_at));
            }
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
            Entity::Platform,
            Entity::Env,
            Entity::HasAspects,
            Entity::Removed,
            Entity::CreatedAt,
            Entity::UpdatedAt,
        ]);
        for (e, at) in chunk {
            insert.values_panic([
                e.urn.clone().into(),
                e.kind.clone().into(),
                e.name.clone().into(),
                e.name.to_lowercase().into(),
                e.platform.clone().into(),
                e.env.clone().into(),
                false.into(),
                false.into(),
                (*at).into(),
                (*at).into(),
            ]);
        }
        insert.on_conflict(OnConflict::column(Entity::Urn).do_nothing().to_owned());
        db.execute(backend.build(&insert)).await?;
        let select = Query::select()
            .column(Entity::Urn)
            .column(Entity::Id)
            .from(Entity::Table)
            .and_where(Expr::col(Entity::Urn).is_in(chunk.iter().map(|(e, _)| e.urn.clone())))
            .to_owned();
        for row in db.query_all(backend.build(&select)).await? {
            ids.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        }
    }
    Ok(ids)
}

/// The live edges declared by `owners` through the two aspects, as
/// `(declared_by, aspect, source, destination, relation)`, so running again adds nothing twice.
async fn existing(
    db: &impl ConnectionTrait,
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
        .and_where(Expr::col(Edge::Aspect).is_in([UPSTREAM_LINEAGE, JOB_IO]))
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
async fn derive(db: &impl ConnectionTrait, plan: Vec<Planned>) -> Result<(), DbErr> {
    if plan.is_empty() {
        return Ok(());
    }
    let ids = ensure_rows(db, &plan).await?;
    let owners: Vec<i64> = plan
        .iter()
        .map(|p| p.declared_by)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut have = HashSet::new();
    for chunk in owners.chunks(CHUNK) {
        have.extend(existing(db, chunk).await?);
    }
    let id = |e: &End| {
        ids.get(&e.urn)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("no row for {} after making it", e.urn)))
    };
    let mut rows = Vec::with_capacity(plan.len());
    for p in &plan {
        let (source, destination) = (id(&p.source)?, id(&p.destination)?);
        let key = (
            p.declared_by,
            p.aspect.to_string(),
            source,
            destination,
            p.relation.to_string(),
        );
        if have.insert(key) {
            rows.push((p, source, destination));
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
        for (p, source, destination) in chunk {
            insert.values_panic([
                (*source).into(),
                (*destination).into(),
                p.relation.into(),
                p.declared_by.into(),
                p.aspect.into(),
                p.created_at.into(),
            ]);
        }
        db.execute(db.get_database_backend().build(&insert)).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut after = 0i64;
        loop {
            let page = latest_page(db, after).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.try_get_by_index(0)?;
            let mut plan = Vec::new();
            for row in &page {
                plan.extend(planned(row)?);
            }
            derive(db, plan).await?;
            if (page.len() as u64) < PAGE {
                break;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let jobs = Query::delete()
            .from_table(Edge::Table)
            .and_where(Expr::col(Edge::Aspect).eq(JOB_IO))
            .to_owned();
        db.execute(backend.build(&jobs)).await?;
        let fields = Query::select()
            .column(Entity::Id)
            .from(Entity::Table)
            .and_where(Expr::col(Entity::EntityType).eq("schemaField"))
            .to_owned();
        let columns = Query::delete()
            .from_table(Edge::Table)
            .and_where(Expr::col(Edge::Aspect).eq(UPSTREAM_LINEAGE))
            .and_where(Expr::col(Edge::DestinationId).in_subquery(fields))
            .to_owned();
        db.execute(backend.build(&columns)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_parse_as_the_write_path_parses_them() {
        let ds = "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,x,PROD)";
        let e = end(&Json::from(ds), &["dataset"]).unwrap();
        assert_eq!(
            (e.name.as_str(), e.platform.as_deref(), e.env.as_deref()),
            ("db.t,x", Some("hive"), Some("PROD"))
        );
        let field = format!("urn:li:schemaField:({ds},a.b)");
        let f = end(&Json::from(field.as_str()), &["schemaField"]).unwrap();
        assert_eq!(f.name, format!("({ds},a.b)"));
        for bad in [
            "urn:li:dataset:(urn:li:dataPlatform:hive,t,NOWHERE)",
            "urn:li:schemaField:(x,a)",
            "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD),)",
            "urn:li:dataJob:a)(",
        ] {
            let kinds = ["dataset", "schemaField", "dataJob"];
            assert_eq!(end(&Json::from(bad), &kinds), None, "{bad}");
        }
        assert_eq!(end(&Json::from(ds), &["dataJob"]), None);
    }
}
