//! Columns as lineage nodes: what a schema-field URN (`urn:li:schemaField:(<dataset urn>,<field
//! path>)`) names, and the two column questions asked of a model in one walk each: which columns
//! of which tables reach it (`Catalog::upstream_columns`), and whether one column reaches a
//! feature of it (`Catalog::column_reach`), each column answered with the path the walk took.

use std::collections::HashMap;
use std::sync::Arc;

use super::aspects::schema_field_kind;
use super::lineage::{Direction, Traversal, TraversalSpec};
use super::records::{Edge, EntityRecord};
use super::{Catalog, Error, Result};
use crate::urn::{EntityKind, Urn};

/// A schema field's URN taken apart: the dataset it belongs to and its path in that dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaFieldUrn {
    pub dataset: Urn,
    pub field_path: String,
}

impl SchemaFieldUrn {
    /// The parts of `urn`, or why it is not a schema field's URN mlcat can place: the key must
    /// be `(<dataset urn>,<field path>)` with a dataset URN that parses and a path that is not
    /// empty.
    pub fn parse(urn: &Urn) -> std::result::Result<SchemaFieldUrn, String> {
        let shape = "a schemaField URN looks like urn:li:schemaField:(<dataset urn>,<field path>)";
        if *urn.kind() != schema_field_kind() {
            return Err(format!(
                "expected a schemaField URN, got a {} URN",
                urn.kind()
            ));
        }
        let key = urn
            .as_str()
            .strip_prefix("urn:li:schemaField:")
            .unwrap_or_default();
        let inner = key
            .strip_prefix('(')
            .and_then(|k| k.strip_suffix(')'))
            .ok_or_else(|| format!("the key is not a (...) tuple; {shape}"))?;
        let comma = first_top_level_comma(inner)
            .ok_or_else(|| format!("the key needs a dataset URN and a field path; {shape}"))?;
        let (dataset, path) = (&inner[..comma], &inner[comma + 1..]);
        let dataset = Urn::parse(dataset)
            .map_err(|e| format!("its dataset part {dataset:?}: {}; {shape}", e.reason))?;
        if *dataset.kind() != EntityKind::Dataset {
            return Err(format!(
                "its first part must be a dataset URN, not a {} URN; {shape}",
                dataset.kind()
            ));
        }
        if path.trim().is_empty() {
            return Err(format!("the field path is empty; {shape}"));
        }
        Ok(SchemaFieldUrn {
            dataset,
            field_path: path.to_string(),
        })
    }

    /// The URN of field `path` of `dataset`.
    pub fn urn_of(dataset: &Urn, path: &str) -> Result<Urn> {
        Ok(Urn::parse(&format!(
            "urn:li:schemaField:({dataset},{path})"
        ))?)
    }
}

/// The byte offset of the first comma of `s` outside parentheses.
fn first_top_level_comma(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The last parts of a dataset name that are a file's extension, not a table's name.
const FILE_EXTENSIONS: [&str; 8] = [
    "csv", "tsv", "json", "jsonl", "parquet", "avro", "orc", "txt",
];

/// How a column is shown in a graph: the last part of its table's name and its path
/// (`orders.O_CUSTOMER_SK`); `None` for an entity that is no schema field.
pub fn column_label(record: &EntityRecord) -> Option<String> {
    if record.kind != schema_field_kind() {
        return None;
    }
    let urn = Urn::parse(&record.urn).ok()?;
    let field = SchemaFieldUrn::parse(&urn).ok()?;
    let table = field.dataset.name();
    // A path's file name (`orders.csv`), or a qualified table name's last part (`orders`).
    let short = match table.rsplit_once('/') {
        Some((_, file)) => file,
        None => {
            let mut parts = table.rsplitn(3, '.');
            match (parts.next(), parts.next()) {
                // `events.json`: a file, named with its extension.
                (Some(ext), Some(stem)) if FILE_EXTENSIONS.contains(&ext) => {
                    &table[table.len() - ext.len() - stem.len() - 1..]
                }
                (Some(last), _) => last,
                _ => table,
            }
        }
    };
    Some(format!("{short}.{}", field.field_path))
}

/// A column upstream of a model, and how the walk got from it to the model.
#[derive(Clone, Debug)]
pub struct ColumnPath {
    /// The column's entity.
    pub column: Arc<EntityRecord>,
    /// Its dataset and path.
    pub field: SchemaFieldUrn,
    /// Hops from the model.
    pub degree: u32,
    /// The edges from the column to the model, upstream first: the path the walk took (one of
    /// the shortest).
    pub path: Vec<Edge>,
    /// The feature (or primary key) of the model the path goes through, nearest the column.
    pub feature: Option<Arc<EntityRecord>>,
}

/// The columns upstream of a model.
#[derive(Clone, Debug)]
pub struct UpstreamColumns {
    pub model: Arc<EntityRecord>,
    /// By degree (nearest first), then in the order the walk reached them.
    pub columns: Vec<ColumnPath>,
    /// True when the depth or the budget cut the walk short: more columns may reach the model.
    pub truncated: bool,
}

/// Whether a column reaches a feature of a model.
#[derive(Clone, Debug)]
pub struct ColumnReach {
    pub column: SchemaFieldUrn,
    /// The column, when the walk reached it through a feature.
    pub reached: Option<ColumnPath>,
    /// True when the walk was cut short: a `reached` of `None` then means "not within the
    /// depth and budget", not "never".
    pub truncated: bool,
}

/// What the column walks take from their caller.
#[derive(Clone, Copy, Debug)]
pub struct ColumnWalk {
    pub depth: u32,
    pub budget: usize,
    pub as_of: Option<i64>,
}

impl Catalog {
    /// The columns (schema fields) upstream of `model` within the walk's depth and budget, each
    /// with the path from it to the model: one upstream walk over the lineage relations.
    pub async fn upstream_columns(&self, model: &Urn, walk: ColumnWalk) -> Result<UpstreamColumns> {
        model
            .expect_kind("model", &[EntityKind::MlModel])
            .map_err(Error::BadInput)?;
        let traversal = self
            .traverse(&TraversalSpec {
                start: model.clone(),
                direction: Direction::Upstream,
                depth: walk.depth,
                budget: walk.budget,
                relations: None,
                as_of: walk.as_of,
            })
            .await?;
        let columns = columns_of(&traversal);
        Ok(UpstreamColumns {
            model: traversal.root.clone(),
            columns,
            truncated: traversal.truncated,
        })
    }

    /// Whether `column` reaches a feature (or primary key) of `model`: the model's upstream
    /// walk, and the column's place in it.
    pub async fn column_reach(
        &self,
        column: &Urn,
        model: &Urn,
        walk: ColumnWalk,
    ) -> Result<ColumnReach> {
        let field = SchemaFieldUrn::parse(column).map_err(|reason| Error::Invalid {
            field: "column".into(),
            message: format!("column: {reason}"),
        })?;
        let upstream = self.upstream_columns(model, walk).await?;
        let reached = upstream
            .columns
            .into_iter()
            .find(|c| c.column.urn == column.as_str() && c.feature.is_some());
        Ok(ColumnReach {
            column: field,
            reached,
            truncated: upstream.truncated,
        })
    }
}

/// The schema fields a model's upstream walk reached, each with its path to the root.
fn columns_of(t: &Traversal) -> Vec<ColumnPath> {
    // The edge that first reached each entity leads one hop nearer the root.
    let by_id: HashMap<i64, usize> = t
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.entity.id.0, i))
        .collect();
    let record = |id: i64| -> Option<Arc<EntityRecord>> {
        if id == t.root.id.0 {
            Some(t.root.clone())
        } else {
            by_id.get(&id).map(|&i| t.nodes[i].entity.clone())
        }
    };
    let mut out = Vec::new();
    for node in &t.nodes {
        if node.entity.kind != schema_field_kind() {
            continue;
        }
        let Ok(urn) = Urn::parse(&node.entity.urn) else {
            continue;
        };
        let Ok(field) = SchemaFieldUrn::parse(&urn) else {
            continue;
        };
        let mut path = Vec::new();
        let mut at = node.entity.id.0;
        // At most one hop per degree: the walk reached each entity from one a level nearer.
        for _ in 0..node.degree {
            let Some(&i) = by_id.get(&at) else { break };
            let via = &t.nodes[i].via;
            let (Some(source), Some(destination)) =
                (record(via.source.0), record(via.destination.0))
            else {
                break;
            };
            at = via.destination.0;
            path.push(Edge {
                edge: via.clone(),
                source,
                destination,
            });
            if at == t.root.id.0 {
                break;
            }
        }
        let feature = path
            .iter()
            .map(|e| &e.destination)
            .find(|d| matches!(d.kind, EntityKind::MlFeature | EntityKind::MlPrimaryKey))
            .cloned();
        out.push(ColumnPath {
            column: node.entity.clone(),
            field,
            degree: node.degree,
            path,
            feature,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> std::result::Result<SchemaFieldUrn, String> {
        SchemaFieldUrn::parse(&Urn::parse(s).unwrap())
    }

    #[test]
    fn takes_a_schema_field_urn_apart() {
        let f =
            parse("urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD),a.b,c)")
                .unwrap();
        assert_eq!(f.dataset.name(), "db.t");
        assert_eq!(f.field_path, "a.b,c");
    }

    #[test]
    fn refuses_what_names_no_column() {
        for (bad, says) in [
            ("urn:li:schemaField:col", "tuple"),
            ("urn:li:schemaField:(col)", "dataset URN and a field path"),
            (
                "urn:li:schemaField:(urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD),c)",
                "dataset URN",
            ),
            (
                "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:x,t,PROD), )",
                "empty",
            ),
            (
                "urn:li:dataset:(urn:li:dataPlatform:x,t,PROD)",
                "schemaField",
            ),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
