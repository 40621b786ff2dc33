//! The aspects of a run (`dataProcessInstance`, DataHub's training run): what it is, what a
//! training run recorded, what it read and wrote, and where it sits among jobs and other runs.
//! Inputs and outputs are lineage (input → run `Consumes`, run → output `Produces`, run → model
//! `TrainedBy`), so a walk goes dataset → run → model.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    check_kind, check_kinds, downstream_of, slice, upstream_of, AspectSpec, CustomProperties,
    DeclaredEdge, NamedValue, Refused, Relation, TimeStamp,
};
use crate::urn::{EntityKind, Urn};

fn run_kind() -> EntityKind {
    EntityKind::Other("dataProcessInstance".into())
}

fn is_run(kind: &EntityKind) -> bool {
    *kind == run_kind()
}

/// What a run may read or write: DataHub's datasets and models, and mlcat's feature tables
/// (a run that trains on a feature view, or materializes one).
fn io_kinds() -> Vec<EntityKind> {
    vec![
        EntityKind::Dataset,
        EntityKind::MlModel,
        EntityKind::MlFeatureTable,
    ]
}

/// What an input or output edge may point at: the above, and other runs.
fn io_edge_kinds() -> Vec<EntityKind> {
    let mut kinds = io_kinds();
    kinds.push(run_kind());
    kinds
}

/// DataHub's `DataProcessType`.
pub const PROCESS_TYPES: [&str; 3] = ["BATCH_SCHEDULED", "BATCH_AD_HOC", "STREAMING"];

/// `dataProcessInstanceProperties`: the run's name, kind, creation and free-form properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProcessInstanceProperties {
    /// Required by DataHub's model.
    pub name: String,
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub process_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<TimeStamp>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `mlTrainingRunProperties`: what a training run recorded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlTrainingRunProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hyper_params: Option<Vec<NamedValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_metrics: Option<Vec<NamedValue>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// DataHub's `Edge`: the entity pointed at, with when and by whom the edge was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeTo {
    pub destination_urn: Urn,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EdgeTo {
    pub fn to(urn: Urn) -> EdgeTo {
        EdgeTo {
            destination_urn: urn,
            extra: Map::new(),
        }
    }
}

fn edge_targets(edges: &Option<Vec<EdgeTo>>) -> Vec<Urn> {
    edges
        .iter()
        .flatten()
        .map(|e| e.destination_urn.clone())
        .collect()
}

fn check_edges(field: &str, edges: &Option<Vec<EdgeTo>>) -> Result<(), Refused> {
    for (i, e) in edges.iter().flatten().enumerate() {
        check_kind(
            || format!("{field}[{i}].destinationUrn"),
            &e.destination_urn,
            &io_edge_kinds(),
        )?;
    }
    Ok(())
}

/// `dataProcessInstanceInput`: what the run read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProcessInstanceInput {
    /// Required by DataHub's model, possibly empty.
    #[serde(default)]
    pub inputs: Vec<Urn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_edges: Option<Vec<EdgeTo>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DataProcessInstanceInput {
    /// Every entity the run read, from both lists, each once, in the order listed.
    pub fn all(&self) -> Vec<Urn> {
        dedup(
            self.inputs
                .iter()
                .cloned()
                .chain(edge_targets(&self.input_edges)),
        )
    }
}

/// `dataProcessInstanceOutput`: what the run wrote.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProcessInstanceOutput {
    /// Required by DataHub's model, possibly empty.
    #[serde(default)]
    pub outputs: Vec<Urn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_edges: Option<Vec<EdgeTo>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DataProcessInstanceOutput {
    /// Every entity the run wrote, from both lists, each once, in the order listed.
    pub fn all(&self) -> Vec<Urn> {
        dedup(
            self.outputs
                .iter()
                .cloned()
                .chain(edge_targets(&self.output_edges)),
        )
    }
}

fn dedup(urns: impl Iterator<Item = Urn>) -> Vec<Urn> {
    let mut seen = std::collections::HashSet::new();
    urns.filter(|u| seen.insert(u.as_str().to_string()))
        .collect()
}

/// `dataProcessInstanceRelationships`: the job or flow the run is an instance of, the run it
/// is part of, and the runs before it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProcessInstanceRelationships {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_template: Option<Urn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_instance: Option<Urn>,
    /// Required by DataHub's model, possibly empty.
    #[serde(default)]
    pub upstream_instances: Vec<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for DataProcessInstanceProperties {
    const NAME: &'static str = "dataProcessInstanceProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        is_run(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        match &self.process_type {
            Some(t) if !PROCESS_TYPES.contains(&t.as_str()) => Err(Refused {
                field: "type".into(),
                reason: format!("{t:?} is not one of {}", PROCESS_TYPES.join(", ")),
            }),
            _ => Ok(()),
        }
    }
}

impl AspectSpec for MlTrainingRunProperties {
    const NAME: &'static str = "mlTrainingRunProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        is_run(kind)
    }
}

impl AspectSpec for DataProcessInstanceInput {
    const NAME: &'static str = "dataProcessInstanceInput";
    fn carried_by(kind: &EntityKind) -> bool {
        is_run(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("inputs", &self.inputs, &io_kinds())?;
        check_edges("inputEdges", &self.input_edges)
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        upstream_of(owner, Relation::Consumes, &self.all())
    }
}

impl AspectSpec for DataProcessInstanceOutput {
    const NAME: &'static str = "dataProcessInstanceOutput";
    fn carried_by(kind: &EntityKind) -> bool {
        is_run(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("outputs", &self.outputs, &io_kinds())?;
        check_edges("outputEdges", &self.output_edges)
    }
    /// A model the run wrote was trained by it (`TrainedBy`, the relation DataHub's
    /// `trainingJobs` declares); anything else it wrote it produced (`Produces`).
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        self.all()
            .into_iter()
            .map(|u| DeclaredEdge {
                relation: if *u.kind() == EntityKind::MlModel {
                    Relation::TrainedBy
                } else {
                    Relation::Produces
                },
                upstream: owner.clone(),
                downstream: u,
            })
            .collect()
    }
}

impl AspectSpec for DataProcessInstanceRelationships {
    const NAME: &'static str = "dataProcessInstanceRelationships";
    fn carried_by(kind: &EntityKind) -> bool {
        is_run(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        if let Some(t) = &self.parent_template {
            check_kind(
                || "parentTemplate".into(),
                t,
                &[
                    EntityKind::Other("dataJob".into()),
                    EntityKind::Other("dataFlow".into()),
                    EntityKind::Dataset,
                ],
            )?;
        }
        if let Some(p) = &self.parent_instance {
            check_kind(|| "parentInstance".into(), p, &[run_kind()])?;
        }
        check_kinds("upstreamInstances", &self.upstream_instances, &[run_kind()])
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let mut edges = downstream_of(
            owner,
            Relation::InstanceOf,
            slice(&self.parent_template.clone().map(|t| vec![t])),
        );
        edges.extend(downstream_of(
            owner,
            Relation::ChildOf,
            slice(&self.parent_instance.clone().map(|p| vec![p])),
        ));
        edges.extend(upstream_of(
            owner,
            Relation::UpstreamOf,
            &self.upstream_instances,
        ));
        edges
    }
}

#[cfg(test)]
mod tests {
    use super::super::validate;
    use super::*;
    use serde_json::json;

    fn urn(s: &str) -> Urn {
        Urn::parse(s).unwrap()
    }

    #[test]
    fn inputs_and_outputs_are_lineage_through_the_run() {
        let run = urn("urn:li:dataProcessInstance:r1");
        let data = "urn:li:dataset:(urn:li:dataPlatform:s3,d,PROD)";
        let model = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,m,PROD)";
        let input = validate(
            &run,
            "dataProcessInstanceInput",
            &json!({"inputs": [data], "inputEdges": [{"destinationUrn": data}]}),
        )
        .unwrap();
        assert_eq!(
            input.edges,
            vec![DeclaredEdge {
                upstream: urn(data),
                downstream: run.clone(),
                relation: Relation::Consumes,
            }]
        );
        let output = validate(
            &run,
            "dataProcessInstanceOutput",
            &json!({"outputs": [model]}),
        )
        .unwrap();
        assert_eq!(output.edges[0].upstream, run);
        assert_eq!(output.edges[0].relation, Relation::TrainedBy);
        let e = validate(
            &run,
            "dataProcessInstanceOutput",
            &json!({"outputs": ["urn:li:tag:x"]}),
        )
        .unwrap_err();
        assert!(
            matches!(&e, crate::catalog::Error::Invalid { field, .. } if field == "dataProcessInstanceOutput.outputs[0]"),
            "{e:?}"
        );
        let e = validate(
            &urn(model),
            "dataProcessInstanceInput",
            &json!({"inputs": []}),
        )
        .unwrap_err();
        assert!(e.public_message().contains("does not belong"));
    }

    #[test]
    fn relationships_check_their_kinds() {
        let run = urn("urn:li:dataProcessInstance:r1");
        let d = validate(
            &run,
            "dataProcessInstanceRelationships",
            &json!({
                "parentTemplate": "urn:li:dataJob:(urn:li:dataFlow:(airflow,f,PROD),j)",
                "upstreamInstances": ["urn:li:dataProcessInstance:r0"],
            }),
        )
        .unwrap();
        let relations: Vec<Relation> = d.edges.iter().map(|e| e.relation).collect();
        assert_eq!(relations, [Relation::InstanceOf, Relation::UpstreamOf]);
        let e = validate(
            &run,
            "dataProcessInstanceRelationships",
            &json!({"parentInstance": "urn:li:tag:x", "upstreamInstances": []}),
        )
        .unwrap_err();
        assert!(e.public_message().contains("parentInstance"), "{e:?}");
        let e = validate(
            &run,
            "dataProcessInstanceProperties",
            &json!({"name": "r", "type": "NIGHTLY", "created": {"time": 1}}),
        )
        .unwrap_err();
        assert!(e.public_message().contains("BATCH_AD_HOC"), "{e:?}");
    }
}
