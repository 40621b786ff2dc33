//! Column-level lineage and a job's inputs and outputs, in DataHub's shapes:
//! `fineGrainedLineages` (carried by a dataset's `upstreamLineage` and by a job's
//! `dataJobInputOutput`), whose upstream and downstream schema fields
//! (`urn:li:schemaField:(<dataset urn>,<field path>)`) become lineage nodes of their own, and
//! `dataJobInputOutput`, which places a job between the datasets it reads and writes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{check_kind, check_kinds, AspectSpec, DeclaredEdge, EdgeTo, Refused, Relation};
use crate::urn::{EntityKind, Urn};

/// The entity type of a column: `urn:li:schemaField:(<dataset urn>,<field path>)`.
pub fn schema_field_kind() -> EntityKind {
    EntityKind::Other("schemaField".into())
}

fn job_kind() -> EntityKind {
    EntityKind::Other("dataJob".into())
}

/// What an `upstreamType` may be: a set of fields, a whole dataset, or nothing known.
const UPSTREAM_TYPES: [&str; 3] = ["FIELD_SET", "DATASET", "NONE"];
/// What a `downstreamType` may be: one field, or a set of fields.
const DOWNSTREAM_TYPES: [&str; 2] = ["FIELD", "FIELD_SET"];

/// One entry of `fineGrainedLineages`: these upstream fields (or datasets) make these
/// downstream fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FineGrainedLineage {
    pub upstream_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstreams: Option<Vec<Urn>>,
    pub downstream_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downstreams: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform_operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_score: Option<f64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FineGrainedLineage {
    pub fn upstreams(&self) -> &[Urn] {
        self.upstreams.as_deref().unwrap_or(&[])
    }

    pub fn downstreams(&self) -> &[Urn] {
        self.downstreams.as_deref().unwrap_or(&[])
    }
}

/// Checks each entry of a `fineGrainedLineages` list at `at` (`fineGrainedLineages[i]`).
pub(super) fn check_fine_grained(list: &[FineGrainedLineage]) -> Result<(), Refused> {
    for (i, l) in list.iter().enumerate() {
        let at = format!("fineGrainedLineages[{i}]");
        one_of(
            &format!("{at}.upstreamType"),
            &l.upstream_type,
            &UPSTREAM_TYPES,
        )?;
        one_of(
            &format!("{at}.downstreamType"),
            &l.downstream_type,
            &DOWNSTREAM_TYPES,
        )?;
        let upstream_kinds = if l.upstream_type == "DATASET" {
            vec![EntityKind::Dataset]
        } else {
            vec![schema_field_kind()]
        };
        check_kinds(&format!("{at}.upstreams"), l.upstreams(), &upstream_kinds)?;
        check_kinds(
            &format!("{at}.downstreams"),
            l.downstreams(),
            &[schema_field_kind()],
        )?;
        if l.downstream_type == "FIELD" && l.downstreams().len() > 1 {
            return Err(Refused {
                field: format!("{at}.downstreams"),
                reason: format!(
                    "a downstreamType FIELD names one field, not {}; use FIELD_SET",
                    l.downstreams().len()
                ),
            });
        }
        if let Some(score) = l.confidence_score {
            if !(0.0..=1.0).contains(&score) {
                return Err(Refused {
                    field: format!("{at}.confidenceScore"),
                    reason: format!("{score} is not between 0 and 1"),
                });
            }
        }
    }
    Ok(())
}

/// Every upstream of an entry feeds every downstream of it (`DownstreamOf`, DataHub's name).
pub(super) fn fine_grained_edges(list: &[FineGrainedLineage]) -> Vec<DeclaredEdge> {
    let mut out = Vec::new();
    for l in list {
        for up in l.upstreams() {
            for down in l.downstreams() {
                out.push(DeclaredEdge {
                    upstream: up.clone(),
                    downstream: down.clone(),
                    relation: Relation::DownstreamOf,
                });
            }
        }
    }
    out
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), Refused> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Refused {
            field: field.to_string(),
            reason: format!("{value:?} is not one of {}", allowed.join(", ")),
        })
    }
}

/// `dataJobInputOutput` of a job: the datasets (and their fields) it reads and writes, the jobs
/// it runs after, and its column-level lineage. DataHub keeps both the old URN lists and the
/// newer `...Edges` lists; mlcat reads both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataJobInputOutput {
    #[serde(default)]
    pub input_datasets: Vec<Urn>,
    #[serde(default)]
    pub output_datasets: Vec<Urn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_dataset_edges: Option<Vec<EdgeTo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dataset_edges: Option<Vec<EdgeTo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_datajobs: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_datajob_edges: Option<Vec<EdgeTo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_dataset_fields: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dataset_fields: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_grained_lineages: Option<Vec<FineGrainedLineage>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn both(urns: &[Urn], edges: &Option<Vec<EdgeTo>>) -> Vec<Urn> {
    let mut out: Vec<Urn> = urns.to_vec();
    for e in edges.iter().flatten() {
        if !out.contains(&e.destination_urn) {
            out.push(e.destination_urn.clone());
        }
    }
    out
}

impl DataJobInputOutput {
    /// The datasets the job reads, from both lists.
    pub fn inputs(&self) -> Vec<Urn> {
        both(&self.input_datasets, &self.input_dataset_edges)
    }

    /// The datasets the job writes, from both lists.
    pub fn outputs(&self) -> Vec<Urn> {
        both(&self.output_datasets, &self.output_dataset_edges)
    }

    /// The jobs the job runs after, from both lists.
    pub fn upstream_jobs(&self) -> Vec<Urn> {
        both(
            self.input_datajobs.as_deref().unwrap_or(&[]),
            &self.input_datajob_edges,
        )
    }
}

impl AspectSpec for DataJobInputOutput {
    const NAME: &'static str = "dataJobInputOutput";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == job_kind()
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        // A job may read or write a model's predictions or a feature table as well as a dataset.
        let data = [
            EntityKind::Dataset,
            EntityKind::MlModel,
            EntityKind::MlFeatureTable,
        ];
        check_kinds("inputDatasets", &self.input_datasets, &data)?;
        check_kinds("outputDatasets", &self.output_datasets, &data)?;
        for (name, edges) in [
            ("inputDatasetEdges", &self.input_dataset_edges),
            ("outputDatasetEdges", &self.output_dataset_edges),
        ] {
            for (i, e) in edges.iter().flatten().enumerate() {
                check_kind(
                    || format!("{name}[{i}].destinationUrn"),
                    &e.destination_urn,
                    &data,
                )?;
            }
        }
        for (i, e) in self.input_datajob_edges.iter().flatten().enumerate() {
            check_kind(
                || format!("inputDatajobEdges[{i}].destinationUrn"),
                &e.destination_urn,
                &[job_kind()],
            )?;
        }
        let jobs = self.input_datajobs.as_deref().unwrap_or(&[]);
        check_kinds("inputDatajobs", jobs, &[job_kind()])?;
        for (name, fields) in [
            ("inputDatasetFields", &self.input_dataset_fields),
            ("outputDatasetFields", &self.output_dataset_fields),
        ] {
            check_kinds(
                name,
                fields.as_deref().unwrap_or(&[]),
                &[schema_field_kind()],
            )?;
        }
        check_fine_grained(self.fine_grained_lineages.as_deref().unwrap_or(&[]))
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        // dataset → job (`Consumes`), job → dataset (`Produces`), job → job after it
        // (`DownstreamOf`), and the columns' own edges.
        let mut out = Vec::new();
        for input in self.inputs() {
            out.push(DeclaredEdge {
                upstream: input,
                downstream: owner.clone(),
                relation: Relation::Consumes,
            });
        }
        for output in self.outputs() {
            out.push(DeclaredEdge {
                upstream: owner.clone(),
                downstream: output,
                relation: Relation::Produces,
            });
        }
        for job in self.upstream_jobs() {
            out.push(DeclaredEdge {
                upstream: job,
                downstream: owner.clone(),
                relation: Relation::DownstreamOf,
            });
        }
        out.extend(fine_grained_edges(
            self.fine_grained_lineages.as_deref().unwrap_or(&[]),
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::validate;
    use super::*;
    use serde_json::json;

    fn field(dataset: &str, path: &str) -> String {
        format!(
            "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,{dataset},PROD),{path})"
        )
    }

    fn edges(owner: &str, aspect: &str, value: Value) -> Vec<(String, String, Relation)> {
        validate(&Urn::parse(owner).unwrap(), aspect, &value)
            .unwrap()
            .edges
            .into_iter()
            .map(|e| (e.upstream.to_string(), e.downstream.to_string(), e.relation))
            .collect()
    }

    #[test]
    fn a_dataset_s_column_lineage_links_field_to_field() {
        let got = edges(
            "urn:li:dataset:(urn:li:dataPlatform:hive,out,PROD)",
            "upstreamLineage",
            json!({
                "upstreams": [{"dataset": "urn:li:dataset:(urn:li:dataPlatform:hive,in,PROD)", "type": "TRANSFORMED"}],
                "fineGrainedLineages": [{
                    "upstreamType": "FIELD_SET",
                    "upstreams": [field("in", "a"), field("in", "b")],
                    "downstreamType": "FIELD",
                    "downstreams": [field("out", "ab")],
                }],
            }),
        );
        assert_eq!(got.len(), 3);
        assert!(got.contains(&(field("in", "a"), field("out", "ab"), Relation::DownstreamOf)));
        assert!(got.contains(&(field("in", "b"), field("out", "ab"), Relation::DownstreamOf)));
    }

    #[test]
    fn a_job_sits_between_what_it_reads_and_writes() {
        let job = "urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),load)";
        let input = "urn:li:dataset:(urn:li:dataPlatform:hive,in,PROD)";
        let output = "urn:li:dataset:(urn:li:dataPlatform:hive,out,PROD)";
        let got = edges(
            job,
            "dataJobInputOutput",
            json!({
                "inputDatasets": [input],
                "outputDatasets": [],
                "outputDatasetEdges": [{"destinationUrn": output, "created": {"time": 1, "actor": "urn:li:corpuser:a"}}],
                "inputDatajobs": ["urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),extract)"],
            }),
        );
        assert_eq!(
            got,
            vec![
                (input.to_string(), job.to_string(), Relation::Consumes),
                (job.to_string(), output.to_string(), Relation::Produces),
                (
                    "urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),extract)".to_string(),
                    job.to_string(),
                    Relation::DownstreamOf
                ),
            ]
        );
    }

    #[test]
    fn refuses_what_column_lineage_cannot_name() {
        let owner = Urn::parse("urn:li:dataset:(urn:li:dataPlatform:hive,out,PROD)").unwrap();
        let refuse = |entry: Value| {
            let value = json!({"upstreams": [], "fineGrainedLineages": [entry]});
            format!(
                "{:?}",
                validate(&owner, "upstreamLineage", &value).unwrap_err()
            )
        };
        let err = refuse(json!({"upstreamType": "COLUMN", "downstreamType": "FIELD"}));
        assert!(err.contains("fineGrainedLineages[0].upstreamType"), "{err}");
        let err = refuse(json!({
            "upstreamType": "FIELD_SET",
            "upstreams": ["urn:li:dataset:(urn:li:dataPlatform:hive,in,PROD)"],
            "downstreamType": "FIELD",
            "downstreams": [field("out", "x")],
        }));
        assert!(err.contains("fineGrainedLineages[0].upstreams[0]"), "{err}");
        let err = refuse(json!({
            "upstreamType": "NONE",
            "downstreamType": "FIELD",
            "downstreams": [field("out", "x"), field("out", "y")],
        }));
        assert!(err.contains("FIELD_SET"), "{err}");
    }
}
