//! How MLflow's registry maps onto the catalog, and reading it back:
//!
//! - a registered model is an `mlModelGroup` on platform `mlflow`
//!   (`urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,<name>,PROD)`, the URN DataHub's own
//!   MLflow source writes); its name, description, times and creator are its
//!   `mlModelGroupProperties`, its tags that aspect's `customProperties` (MLflow's tags are
//!   key/value pairs, which DataHub's `globalTags` are not; DataHub's MLflow source maps them
//!   the same way). A rename keeps the URN and changes the name property.
//! - a model version is an `mlModel` (`urn:li:mlModel:(urn:li:dataPlatform:mlflow,<group's URN
//!   name>_<n>,PROD)`) whose `mlModelProperties` holds its description, its tags
//!   (`customProperties`), times, its group (`groups`) and its run (`trainingJobs`:
//!   `urn:li:dataProcessInstance:<run id>`, a `TrainedBy` edge); its `versionProperties` make
//!   it version `<n>` of the group's version set, with its aliases; its stage is the tag
//!   `urn:li:tag:mlflow_<stage>` of its `globalTags` (as DataHub's MLflow source tags it); what
//!   only MLflow has (source, run link, status, user) is in the `mlflowModelVersion` aspect.
//! - a registered model's version set is `urn:li:versionSet:(mlflow-<hash of the group's
//!   URN>,mlModel)`.
//!
//! A group written through GraphQL or the SDK on platform `mlflow` is a registered model too;
//! its versions are the member models that are versions of the group's set.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::MlflowError;
use crate::catalog::aspects::{
    AspectSpec, MlModelGroupProperties, MlModelProperties, Relation, RelationSet, VersionSetAliases,
};
use crate::catalog::{
    Catalog, Condition, Direction, EntityId, EntityRecord, FieldFilter, SearchField, SearchRequest,
    SetLatest, VersionRecord,
};
use crate::urn::{EntityKind, Urn};

pub const PLATFORM: &str = "mlflow";
pub const ENV: &str = "PROD";
pub const GROUP_ASPECT: &str = "mlModelGroupProperties";
pub const MODEL_ASPECT: &str = "mlModelProperties";
pub const VERSION_ASPECT: &str = "versionProperties";
pub const TAGS_ASPECT: &str = "globalTags";
/// What only MLflow has of a version: `{source, runLink, status, statusMessage, userId}`.
pub const INFO_ASPECT: &str = "mlflowModelVersion";

/// MLflow's stages, as the client spells them.
pub const STAGES: [&str; 4] = ["None", "Staging", "Production", "Archived"];

/// The stage a client sent, in MLflow's spelling (case is ignored, as MLflow does).
pub fn stage(sent: &str) -> Result<&'static str, MlflowError> {
    STAGES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(sent.trim()))
        .copied()
        .ok_or_else(|| {
            MlflowError::invalid(format!(
                "Invalid Model Version stage: {sent}. Value must be one of {}.",
                STAGES.join(", ")
            ))
        })
}

/// The tag that marks a stage.
pub fn stage_tag(stage: &str) -> String {
    format!("urn:li:tag:{PLATFORM}_{}", stage.to_ascii_lowercase())
}

/// The fields of `globalTags` a stage is read from: a version's read decodes only these (a
/// registered model may have thousands of versions).
#[derive(Default, serde::Deserialize)]
struct TagsLite {
    #[serde(default)]
    tags: Vec<TagLite>,
}

#[derive(serde::Deserialize)]
struct TagLite {
    tag: String,
}

/// The fields of `versionProperties` a version's read needs.
#[derive(Default, serde::Deserialize)]
struct VersionLite {
    #[serde(rename = "versionSet", default)]
    version_set: String,
    version: Option<LabelLite>,
    #[serde(default)]
    aliases: Vec<LabelLite>,
}

#[derive(serde::Deserialize)]
struct LabelLite {
    #[serde(rename = "versionTag")]
    version_tag: Option<String>,
}

fn stage_of_tags(tags: &TagsLite) -> &'static str {
    const PREFIX: &str = "urn:li:tag:mlflow_";
    for t in &tags.tags {
        if let Some(rest) = t.tag.strip_prefix(PREFIX) {
            if let Some(s) = STAGES.iter().find(|s| s.eq_ignore_ascii_case(rest)) {
                return s;
            }
        }
    }
    NO_STAGE
}

/// The stage MLflow shows for a version in no stage.
pub const NO_STAGE: &str = "None";

/// The URN a new registered model of this name gets.
pub fn group_urn(name: &str) -> Result<Urn, MlflowError> {
    Urn::ml_model_group(PLATFORM, name, ENV).map_err(|e| {
        MlflowError::invalid(format!(
            "the registered model name {name:?} cannot be stored: {e}"
        ))
    })
}

/// The URN of version `label` of a group.
pub fn version_urn(group: &Urn, label: &str) -> Result<Urn, MlflowError> {
    Urn::ml_model(PLATFORM, &format!("{}_{label}", group.name()), ENV)
        .map_err(|e| MlflowError::invalid(format!("version {label:?}: {e}")))
}

/// The version set of a registered model.
pub fn set_urn(group: &Urn) -> Urn {
    let digest = Sha256::digest(group.as_str().as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    #[expect(clippy::expect_used, reason = "a hex id always makes a valid URN")]
    Urn::parse(&format!("urn:li:versionSet:(mlflow-{hex},mlModel)")).expect("a valid URN")
}

/// The run id a `trainingJobs` URN names.
pub fn run_id_of(job: &Urn) -> Option<&str> {
    job.as_str().strip_prefix("urn:li:dataProcessInstance:")
}

pub fn run_urn(run_id: &str) -> Result<Urn, MlflowError> {
    Urn::parse(&format!("urn:li:dataProcessInstance:{run_id}"))
        .map_err(|e| MlflowError::invalid(format!("run_id {run_id:?}: {e}")))
}

/// A registered model as read.
#[derive(Clone, Debug)]
pub struct Group {
    pub urn: Urn,
    pub id: EntityId,
    pub props: MlModelGroupProperties,
    pub updated_at: i64,
    pub created_at: i64,
}

impl Group {
    pub fn name(&self) -> &str {
        self.props.name.as_deref().unwrap_or(self.urn.name())
    }

    pub fn set(&self) -> Urn {
        set_urn(&self.urn)
    }

    pub fn created(&self) -> i64 {
        time_or(&self.props.created, self.created_at)
    }

    pub fn last_updated(&self) -> i64 {
        time_or(&self.props.last_modified, self.updated_at)
    }
}

/// A model version as read.
#[derive(Clone, Debug)]
pub struct Version {
    pub urn: Urn,
    pub id: EntityId,
    /// The version set it is a version of.
    pub set: String,
    pub label: String,
    pub aliases: Vec<String>,
    pub stage: &'static str,
    pub props: MlModelProperties,
    pub info: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Version {
    /// A version as its creation wrote it (`made`, with these properties and info): no stage
    /// and no alias yet.
    pub fn just_created(
        made: VersionRecord,
        props: MlModelProperties,
        info: Value,
        at: i64,
    ) -> Version {
        Version {
            urn: made.urn,
            id: made.id,
            set: made.set.to_string(),
            label: made.label,
            aliases: Vec::new(),
            stage: NO_STAGE,
            props,
            info,
            created_at: at,
            updated_at: at,
        }
    }

    pub fn number(&self) -> i64 {
        self.label.parse().unwrap_or(i64::MAX)
    }

    pub fn created(&self) -> i64 {
        time_or(&self.props.created, self.created_at)
    }

    pub fn last_updated(&self) -> i64 {
        time_or(&self.props.last_modified, self.updated_at)
    }

    pub fn run_id(&self) -> Option<&str> {
        self.props
            .training_jobs
            .as_deref()
            .and_then(|jobs| jobs.iter().find_map(run_id_of))
    }

    pub fn info(&self, field: &str) -> Option<&str> {
        self.info.get(field).and_then(Value::as_str)
    }

    pub fn source(&self) -> Option<&str> {
        self.info("source")
    }

    /// The version as MLflow's `ModelVersion`.
    pub fn to_json(&self, group_name: &str) -> Value {
        json!({
            "name": group_name,
            "version": self.label,
            "creation_timestamp": self.created(),
            "last_updated_timestamp": self.last_updated(),
            "user_id": self.info("userId").unwrap_or_default(),
            "current_stage": self.stage,
            "description": self.props.description.as_deref().unwrap_or_default(),
            "source": self.source().unwrap_or_default(),
            "run_id": self.run_id().unwrap_or_default(),
            "run_link": self.info("runLink").unwrap_or_default(),
            "status": self.info("status").unwrap_or("READY"),
            "status_message": self.info("statusMessage").unwrap_or_default(),
            "tags": tags_json(&self.props.custom_properties),
            "aliases": self.aliases,
        })
    }
}

pub fn tags_json(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

/// The latest version of each stage, newest stage order as MLflow lists them; only `stages`
/// when given.
pub fn latest_per_stage<'v>(versions: &'v [Version], stages: &[&str]) -> Vec<&'v Version> {
    let mut latest: HashMap<&str, &Version> = HashMap::new();
    for v in versions {
        if !stages.is_empty() && !stages.contains(&v.stage) {
            continue;
        }
        let e = latest.entry(v.stage).or_insert(v);
        if v.number() > e.number() {
            *e = v;
        }
    }
    let mut out: Vec<&Version> = latest.into_values().collect();
    out.sort_by_key(|v| v.number());
    out
}

/// Reads everything of the versions [`group_json`] shows of each group (its latest of each
/// stage); one statement for all.
pub async fn fill_latest(
    catalog: &Catalog,
    lists: &mut [&mut Vec<Version>],
) -> Result<(), MlflowError> {
    let mut wanted: Vec<&mut Version> = Vec::new();
    for list in lists.iter_mut() {
        let latest: Vec<String> = latest_per_stage(list, &[])
            .into_iter()
            .map(|v| v.label.clone())
            .collect();
        wanted.extend(list.iter_mut().filter(|v| latest.contains(&v.label)));
    }
    fill(catalog, &mut wanted).await
}

/// A registered model as MLflow's `RegisteredModel`, with its latest version per stage and its
/// aliases.
pub fn group_json(group: &Group, versions: &[Version]) -> Value {
    let name = group.name();
    let latest: Vec<Value> = latest_per_stage(versions, &[])
        .into_iter()
        .map(|v| v.to_json(name))
        .collect();
    let mut aliases: Vec<(&str, &str)> = versions
        .iter()
        .flat_map(|v| {
            v.aliases
                .iter()
                .map(move |a| (a.as_str(), v.label.as_str()))
        })
        .collect();
    aliases.sort();
    json!({
        "name": name,
        "creation_timestamp": group.created(),
        "last_updated_timestamp": group.last_updated(),
        "user_id": group.props.created.as_ref().and_then(|c| c.actor.as_deref()).unwrap_or_default(),
        "description": group.props.description.as_deref().unwrap_or_default(),
        "latest_versions": latest,
        "tags": tags_json(&group.props.custom_properties),
        "aliases": aliases.iter().map(|(a, v)| json!({"alias": a, "version": v})).collect::<Vec<_>>(),
    })
}

fn decode<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

/// The registered models of these entities that exist (not removed, on platform `mlflow`),
/// with their properties; one aspect read.
pub async fn groups_of(
    catalog: &Catalog,
    entities: Vec<EntityRecord>,
) -> Result<Vec<Group>, MlflowError> {
    let entities: Vec<EntityRecord> = entities
        .into_iter()
        .filter(|e| {
            e.exists
                && !e.removed
                && e.kind == EntityKind::MlModelGroup
                && e.platform.as_deref() == Some(PLATFORM)
        })
        .collect();
    let keys: Vec<(EntityId, &str)> = entities.iter().map(|e| (e.id, GROUP_ASPECT)).collect();
    let mut props: HashMap<EntityId, MlModelGroupProperties> = catalog
        .latest_aspects(&keys)
        .await?
        .into_iter()
        .filter(|a| a.aspect == GROUP_ASPECT)
        .map(|a| (a.entity, decode(&a.value)))
        .collect();
    let mut out = Vec::with_capacity(entities.len());
    for e in entities {
        let Ok(urn) = Urn::parse(&e.urn) else {
            continue;
        };
        out.push(Group {
            urn,
            id: e.id,
            props: props.remove(&e.id).unwrap_or_default(),
            updated_at: e.updated_at,
            created_at: e.created_at,
        });
    }
    Ok(out)
}

/// The registered model named `name`, if any. The URN its name makes is tried first (one
/// read); a renamed model is found through the catalog's search, by the words of its name.
pub async fn find_group(catalog: &Catalog, name: &str) -> Result<Option<Group>, MlflowError> {
    if let Ok(urn) = group_urn(name) {
        if let Some(e) = catalog.entity(&urn).await? {
            let found = groups_of(catalog, vec![e]).await?;
            if let Some(g) = found.into_iter().find(|g| g.name() == name) {
                return Ok(Some(g));
            }
        }
    }
    let request = SearchRequest {
        query: name.to_string(),
        kinds: vec![EntityKind::MlModelGroup],
        any_of: vec![vec![FieldFilter {
            field: SearchField::Platform,
            condition: Condition::Equal,
            values: vec![format!("urn:li:dataPlatform:{PLATFORM}")],
            negated: false,
        }]],
        start: 0,
        count: 100,
        ..SearchRequest::default()
    };
    if crate::catalog::search::words(name).next().is_none() {
        return Ok(None);
    }
    let hits = catalog.search(&request).await?.hits;
    let groups = groups_of(catalog, hits.into_iter().map(|h| h.entity).collect()).await?;
    Ok(groups.into_iter().find(|g| g.name() == name))
}

/// The registered model named `name`, or MLflow's `RESOURCE_DOES_NOT_EXIST`.
pub async fn group(catalog: &Catalog, name: &str) -> Result<Group, MlflowError> {
    find_group(catalog, name).await?.ok_or_else(|| {
        MlflowError::not_found(format!("Registered Model with name={name} not found"))
    })
}

/// The versions of each group (members that are versions of its set), in version order, with
/// their labels, aliases and stages (the rest is read by [`fill`]); two statements for all the
/// groups: their members' edges, then the members' version and tag aspects.
pub async fn versions_of(
    catalog: &Catalog,
    groups: &[&Group],
) -> Result<HashMap<EntityId, Vec<Version>>, MlflowError> {
    let ids: Vec<EntityId> = groups.iter().map(|g| g.id).collect();
    let edges = catalog
        .edges_of(
            &ids,
            Direction::Upstream,
            RelationSet::of(&[Relation::MemberOf]),
            None,
        )
        .await?;
    let mut members: Vec<(EntityId, EntityRecord)> = Vec::with_capacity(edges.len());
    for e in edges {
        if e.edge.relation == Relation::MemberOf && e.source.exists && !e.source.removed {
            members.push((e.edge.destination, (*e.source).clone()));
        }
    }
    // What makes a member a version, and its stage; its description, tags and source are
    // read for the versions an answer shows (`fill`).
    let mut keys: Vec<(EntityId, &str)> = Vec::with_capacity(members.len() * 2);
    for (_, m) in &members {
        for a in [VERSION_ASPECT, TAGS_ASPECT] {
            keys.push((m.id, a));
        }
    }
    let mut aspects: HashMap<(EntityId, String), String> = catalog
        .latest_aspects(&keys)
        .await?
        .into_iter()
        .map(|a| ((a.entity, a.aspect), a.value))
        .collect();
    let mut out: HashMap<EntityId, Vec<Version>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for (group, m) in members {
        if let Some(v) = decode_version(m, &mut aspects) {
            if let Some(list) = out.get_mut(&group) {
                list.push(v);
            }
        }
    }
    // A group's versions are those of its set: the one its URN makes when a member is in it
    // (MLflow made them), else the set of its first member (a group written through GraphQL
    // or the SDK, whose versions are in a set of their own).
    for g in groups {
        if let Some(list) = out.get_mut(&g.id) {
            list.sort_by(|a, b| a.number().cmp(&b.number()).then(a.label.cmp(&b.label)));
            let own = g.set().to_string();
            let set = if list.iter().any(|v| v.set == own) {
                own
            } else {
                list.first().map(|v| v.set.clone()).unwrap_or_default()
            };
            list.retain(|v| v.set == set);
        }
    }
    Ok(out)
}

/// A member model as a version, from its aspects; `None` when it is not one.
fn decode_version(
    m: EntityRecord,
    aspects: &mut HashMap<(EntityId, String), String>,
) -> Option<Version> {
    let vp: VersionLite = decode(&aspects.remove(&(m.id, VERSION_ASPECT.to_string()))?);
    let label = vp.version?.version_tag?;
    let aliases = vp
        .aliases
        .into_iter()
        .filter_map(|a| a.version_tag)
        .collect();
    let tags: TagsLite = aspects
        .remove(&(m.id, TAGS_ASPECT.to_string()))
        .map(|t| decode(&t))
        .unwrap_or_default();
    let urn = Urn::parse(&m.urn).ok()?;
    Some(Version {
        urn,
        id: m.id,
        set: vp.version_set,
        label,
        aliases,
        stage: stage_of_tags(&tags),
        props: aspects
            .remove(&(m.id, MODEL_ASPECT.to_string()))
            .map(|p| decode(&p))
            .unwrap_or_default(),
        info: aspects
            .remove(&(m.id, INFO_ASPECT.to_string()))
            .map(|p| decode(&p))
            .unwrap_or(Value::Null),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The model `urn` as a version of the group, if it is one: two reads, whatever the number of
/// versions.
pub async fn version_by_urn(
    catalog: &Catalog,
    group: &Group,
    urn: &Urn,
) -> Result<Option<Version>, MlflowError> {
    Ok(versions_by_urn(catalog, group, &[urn]).await?.pop())
}

/// Those of the models `urns` that are versions of the group (members of it, not removed),
/// read whole, in the order given: two reads for all.
pub async fn versions_by_urn(
    catalog: &Catalog,
    group: &Group,
    urns: &[&Urn],
) -> Result<Vec<Version>, MlflowError> {
    let wanted = [(group, urns.iter().map(|u| (*u).clone()).collect())];
    Ok(versions_by_urn_of(catalog, &wanted)
        .await?
        .remove(&group.id)
        .unwrap_or_default())
}

/// [`versions_by_urn`] of several groups at once, by group row: two reads for all.
async fn versions_by_urn_of(
    catalog: &Catalog,
    wanted: &[(&Group, Vec<Urn>)],
) -> Result<HashMap<EntityId, Vec<Version>>, MlflowError> {
    let mut out: HashMap<EntityId, Vec<Version>> = HashMap::new();
    let urns: Vec<&Urn> = wanted.iter().flat_map(|(_, urns)| urns).collect();
    if urns.is_empty() {
        return Ok(out);
    }
    let rows: HashMap<String, EntityRecord> = catalog
        .entities_by_urn(&urns)
        .await?
        .into_iter()
        .filter(|m| m.exists && !m.removed)
        .map(|m| (m.urn.clone(), m))
        .collect();
    let keys: Vec<(EntityId, &str)> = rows
        .values()
        .flat_map(|m| [VERSION_ASPECT, MODEL_ASPECT, TAGS_ASPECT, INFO_ASPECT].map(|a| (m.id, a)))
        .collect();
    if keys.is_empty() {
        return Ok(out);
    }
    let mut aspects: HashMap<(EntityId, String), String> = catalog
        .latest_aspects(&keys)
        .await?
        .into_iter()
        .map(|a| ((a.entity, a.aspect), a.value))
        .collect();
    for (group, urns) in wanted {
        let list = out.entry(group.id).or_default();
        for urn in urns {
            let Some(m) = rows.get(urn.as_str()) else {
                continue;
            };
            let in_group = aspects
                .get(&(m.id, MODEL_ASPECT.to_string()))
                .map(|p| decode::<MlModelProperties>(p))
                .is_some_and(|p| p.groups.unwrap_or_default().contains(&group.urn));
            if in_group {
                list.extend(decode_version(m.clone(), &mut aspects));
            }
        }
    }
    Ok(out)
}

/// The versions a registered model's answer shows, read whole: the latest of each stage and
/// those holding its aliases.
pub async fn shown_versions(catalog: &Catalog, group: &Group) -> Result<Vec<Version>, MlflowError> {
    Ok(shown_versions_of(catalog, &[group])
        .await?
        .remove(&group.id)
        .unwrap_or_default())
}

/// [`shown_versions`] of each of these groups, by group row, each list in version order. The
/// groups whose versions are in their own set (MLflow made them) cost four statements
/// together, whatever their number and the number of their versions: the latest of each stage
/// of every set (`Catalog::latest_by_tag_of_sets`), the sets' alias maps, then the versions
/// named. A group written through GraphQL or the SDK, whose versions are in a set of their
/// own, is read in full.
pub async fn shown_versions_of(
    catalog: &Catalog,
    groups: &[&Group],
) -> Result<HashMap<EntityId, Vec<Version>>, MlflowError> {
    let sets: Vec<Urn> = groups.iter().map(|g| g.set()).collect();
    let tags: Vec<Urn> = STAGES
        .iter()
        .filter(|s| **s != "None")
        .filter_map(|s| Urn::parse(&stage_tag(s)).ok())
        .collect();
    let latest = catalog.latest_by_tag_of_sets(&sets, &tags).await?;
    let keys: Vec<(EntityId, &str)> = latest
        .iter()
        .map(|l| (l.set_id, VersionSetAliases::NAME))
        .collect();
    let mut holders: HashMap<EntityId, Vec<Urn>> = HashMap::new();
    if !keys.is_empty() {
        for found in catalog.latest_aspects(&keys).await? {
            if found.aspect == VersionSetAliases::NAME {
                let map: VersionSetAliases = decode(&found.value);
                holders
                    .entry(found.entity)
                    .or_default()
                    .extend(map.aliases.into_iter().map(|a| a.version));
            }
        }
    }
    let mut by_set: HashMap<&str, &SetLatest> =
        latest.iter().map(|l| (l.set.as_str(), l)).collect();
    let mut wanted: Vec<(&Group, Vec<Urn>)> = Vec::new();
    let mut in_full: Vec<&Group> = Vec::new();
    for (group, set) in groups.iter().zip(&sets) {
        match by_set.remove(set.as_str()) {
            Some(l) => {
                let mut urns = l.latest.clone();
                urns.extend(holders.remove(&l.set_id).unwrap_or_default());
                urns.sort();
                urns.dedup();
                wanted.push((group, urns));
            }
            None => in_full.push(group),
        }
    }
    let mut out = versions_by_urn_of(catalog, &wanted).await?;
    if !in_full.is_empty() {
        let mut all = versions_of(catalog, &in_full).await?;
        let mut lists: Vec<&mut Vec<Version>> = all.values_mut().collect();
        fill_latest(catalog, &mut lists).await?;
        out.extend(all);
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.number().cmp(&b.number()).then(a.label.cmp(&b.label)));
    }
    Ok(out)
}

/// The version set of a registered model: its own (the one its URN makes) when it has versions
/// or no versions in another set, else the set its versions are in (a group written through
/// GraphQL or the SDK). One index read for a group MLflow made.
pub async fn set_of(catalog: &Catalog, group: &Group) -> Result<Urn, MlflowError> {
    let own = group.set();
    if catalog.version_count(&own).await? > 0 {
        return Ok(own);
    }
    let all = versions(catalog, group).await?;
    Ok(super::versions::set_of(group, &all))
}

/// Reads the properties (description, tags, run, times) and MLflow's fields (source, status,
/// user) of these versions; one statement.
pub async fn fill(catalog: &Catalog, versions: &mut [&mut Version]) -> Result<(), MlflowError> {
    let keys: Vec<(EntityId, &str)> = versions
        .iter()
        .flat_map(|v| [(v.id, MODEL_ASPECT), (v.id, INFO_ASPECT)])
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let mut aspects: HashMap<(EntityId, String), String> = catalog
        .latest_aspects(&keys)
        .await?
        .into_iter()
        .map(|a| ((a.entity, a.aspect), a.value))
        .collect();
    for v in versions.iter_mut() {
        if let Some(p) = aspects.remove(&(v.id, MODEL_ASPECT.to_string())) {
            v.props = decode(&p);
        }
        if let Some(i) = aspects.remove(&(v.id, INFO_ASPECT.to_string())) {
            v.info = decode(&i);
        }
    }
    Ok(())
}

/// The versions of one group (see [`versions_of`]).
pub async fn versions(catalog: &Catalog, group: &Group) -> Result<Vec<Version>, MlflowError> {
    Ok(versions_of(catalog, &[group])
        .await?
        .remove(&group.id)
        .unwrap_or_default())
}

/// Version `label` of a group, or MLflow's `RESOURCE_DOES_NOT_EXIST`.
pub async fn version(
    catalog: &Catalog,
    group: &Group,
    label: &str,
) -> Result<Version, MlflowError> {
    let label = label.trim();
    if let Ok(urn) = version_urn(&group.urn, label) {
        if let Some(v) = version_by_urn(catalog, group, &urn).await? {
            if v.label == label {
                return Ok(v);
            }
        }
    }
    let mut found = versions(catalog, group)
        .await?
        .into_iter()
        .find(|v| v.label == label)
        .ok_or_else(|| {
            MlflowError::not_found(format!(
                "Model Version (name={}, version={label}) not found",
                group.name()
            ))
        })?;
    fill(catalog, &mut [&mut found]).await?;
    Ok(found)
}

/// A stamp's time, or `fallback` (the row's own time) when the aspect has none.
fn time_or(stamp: &Option<crate::catalog::aspects::TimeStamp>, fallback: i64) -> i64 {
    stamp.as_ref().map_or(fallback, |t| t.time)
}
