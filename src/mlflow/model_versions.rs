//! The model-version calls: create, get, update, delete, transition stage, search, download
//! URI, tags, and get by alias. A model version is an `mlModel` that is a version of its
//! registered model's version set (`model.rs`).

use axum::Json;
use serde_json::{json, Value};

use super::filter::{self, Field, OrderKey, Target};
use super::model::{self, Group, Version, INFO_ASPECT, MODEL_ASPECT, TAGS_ASPECT};
use super::registered_models::{all_groups, page_size, sort_by, SortValue};
use super::{done, versions, Answer, Call, MlflowError};
use crate::catalog::aspects::{
    GlobalTags, MlModelGroupProperties, MlModelProperties, TagAssociation, TimeStamp,
};
use crate::catalog::{AspectWrite, Direction, Error};
use crate::store::now_millis;
use crate::urn::Urn;

const MAX_RESULTS: i64 = 200_000;
const DEFAULT_RESULTS: i64 = 10_000;

fn stamp(time: i64, actor: Option<String>) -> TimeStamp {
    TimeStamp {
        time,
        actor,
        extra: Default::default(),
    }
}

/// Writes a change of a version's `mlModelProperties`, stamping `lastModified`.
fn edit_model(
    urn: &Urn,
    edit: impl FnOnce(&mut MlModelProperties) -> Result<(), Error> + Send + 'static,
) -> AspectWrite {
    let now = now_millis();
    AspectWrite::patch::<MlModelProperties, _>(urn.clone(), MODEL_ASPECT, move |p| {
        edit(p)?;
        p.last_modified = Some(stamp(now, None));
        Ok(())
    })
    .existing()
}

/// The group and version a call names (`name`, `version`).
async fn named(call: &Call) -> Result<(Group, Version), MlflowError> {
    let p = &call.params;
    let name = p.str("name")?;
    let label = p.str("version")?;
    if label.trim().parse::<u64>().is_err() {
        return Err(MlflowError::invalid(format!(
            "Parameter 'version' must be an integer, got '{label}'."
        )));
    }
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let version = model::version(catalog, &group, label).await?;
    Ok((group, version))
}

async fn answer(call: &Call, group: &Group, urn: &Urn) -> Answer {
    let v = model::version_by_urn(&call.state.catalog, group, urn)
        .await?
        .ok_or_else(|| MlflowError::not_found(format!("Model Version {urn} not found")))?;
    Ok(Json(json!({"model_version": v.to_json(group.name())})))
}

/// `POST model-versions/create`: the next number of the registered model.
pub async fn create(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let source = p.str("source")?.to_string();
    let run_id = p
        .opt_str("run_id")?
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let run = run_id.as_deref().map(model::run_urn).transpose()?;
    let run_link = p.opt_str("run_link")?.unwrap_or_default().to_string();
    let description = p
        .opt_str("description")?
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let tags = p.tags()?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let now = now_millis();
    let props = MlModelProperties {
        description,
        custom_properties: tags.into_iter().collect(),
        created: Some(stamp(now, Some(call.user().to_string()))),
        last_modified: Some(stamp(now, None)),
        groups: Some(vec![group.urn.clone()]),
        training_jobs: run.map(|r| vec![r]),
        ..MlModelProperties::default()
    };
    let stored = serde_json::to_value(&props).map_err(|e| Error::Internal(e.into()))?;
    let info = json!({
        "source": source,
        "runLink": run_link,
        "status": "READY",
        "userId": call.user(),
    });
    let (group_urn, written) = (group.urn.clone(), info.clone());
    // The model's aspects, the group's last change and the link land in one transaction.
    let aspects = move |urn: &Urn| {
        vec![
            AspectWrite::upsert(urn.clone(), MODEL_ASPECT, stored.clone()),
            AspectWrite::upsert(urn.clone(), INFO_ASPECT, written.clone()),
            AspectWrite::patch::<MlModelGroupProperties, _>(
                group_urn.clone(),
                model::GROUP_ASPECT,
                move |p| {
                    p.last_modified = Some(stamp(now, None));
                    Ok(())
                },
            ),
        ]
    };
    let made = versions::create(catalog, &call.actor, &group, now, aspects).await?;
    // Answered with what the creation wrote, which its commit made the version.
    let version = Version::just_created(made, props, info, now);
    Ok(Json(
        json!({"model_version": version.to_json(group.name())}),
    ))
}

/// `GET model-versions/get`.
pub async fn get(call: Call) -> Answer {
    let (group, version) = named(&call).await?;
    Ok(Json(
        json!({"model_version": version.to_json(group.name())}),
    ))
}

/// `PATCH model-versions/update`: the description.
pub async fn update(call: Call) -> Answer {
    let (group, version) = named(&call).await?;
    let description = call
        .params
        .opt_str("description")?
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let write = edit_model(&version.urn, move |p| {
        p.description = description;
        Ok(())
    });
    call.write(vec![write]).await?;
    answer(&call, &group, &version.urn).await
}

/// `DELETE model-versions/delete`: its aliases go with it.
pub async fn delete(call: Call) -> Answer {
    let (_, version) = named(&call).await?;
    versions::delete(&call.state.catalog, &call.actor, &version).await?;
    done()
}

/// Sets the stage tag of a version's `globalTags`, keeping its other tags.
fn stage_edit(urn: &Urn, stage: &'static str) -> AspectWrite {
    AspectWrite::patch::<GlobalTags, _>(urn.clone(), TAGS_ASPECT, move |tags| {
        let stage_tags: Vec<String> = model::STAGES.iter().map(|s| model::stage_tag(s)).collect();
        tags.tags
            .retain(|t| !stage_tags.iter().any(|s| s == t.tag.as_str()));
        if stage != "None" {
            let tag = Urn::parse(&model::stage_tag(stage)).map_err(Error::from)?;
            tags.tags.push(TagAssociation {
                tag,
                extra: Default::default(),
            });
        }
        Ok(())
    })
}

/// `POST model-versions/transition-stage`; with `archive_existing_versions`, the other versions
/// in the target stage move to `Archived`, in the same transaction.
pub async fn transition_stage(call: Call) -> Answer {
    let stage = model::stage(call.params.str("stage")?)?;
    let archive = call.params.flag("archive_existing_versions")?;
    if archive && !matches!(stage, "Staging" | "Production") {
        return Err(MlflowError::invalid(format!(
            "Model version transition cannot archive existing model versions because '{stage}' is not an Active stage. Valid stages are Staging and Production."
        )));
    }
    let (group, version) = named(&call).await?;
    let catalog = &call.state.catalog;
    let mut writes = vec![
        stage_edit(&version.urn, stage),
        edit_model(&version.urn, |_| Ok(())),
    ];
    if archive {
        for other in model::versions(catalog, &group).await? {
            if other.urn != version.urn && other.stage == stage {
                writes.push(stage_edit(&other.urn, "Archived"));
                writes.push(edit_model(&other.urn, |_| Ok(())));
            }
        }
    }
    call.write(writes).await?;
    answer(&call, &group, &version.urn).await
}

/// The (group, version) pairs a filter may match: the versions of the model its `name =`
/// names, those its `run_id =` trained, or every version.
async fn candidates(
    call: &Call,
    clauses: &[filter::Clause],
) -> Result<Vec<(String, Version)>, MlflowError> {
    let catalog = &call.state.catalog;
    let mut groups: Option<Vec<Group>> = None;
    for c in clauses {
        match (&c.field, c.op, &c.value) {
            (Field::Name, filter::Op::Eq, filter::Operand::Text(name)) => {
                groups = Some(
                    model::find_group(catalog, name)
                        .await?
                        .into_iter()
                        .collect(),
                );
                break;
            }
            (Field::RunId, filter::Op::Eq, filter::Operand::Text(run)) => {
                groups = Some(groups_trained_by(call, run).await?);
            }
            _ => {}
        }
    }
    let groups = match groups {
        Some(g) => g,
        None => all_groups(call).await?,
    };
    let refs: Vec<&Group> = groups.iter().collect();
    let mut by_group = model::versions_of(catalog, &refs).await?;
    let mut all: Vec<&mut Version> = by_group.values_mut().flatten().collect();
    model::fill(catalog, &mut all).await?;
    let mut out = Vec::new();
    for g in &groups {
        for v in by_group.remove(&g.id).unwrap_or_default() {
            out.push((g.name().to_string(), v));
        }
    }
    Ok(out)
}

/// The registered models with a version trained by the run: the run's `TrainedBy` edges.
async fn groups_trained_by(call: &Call, run: &str) -> Result<Vec<Group>, MlflowError> {
    let catalog = &call.state.catalog;
    let Ok(run) = model::run_urn(run) else {
        return Ok(Vec::new());
    };
    let Some(entity) = catalog.entity(&run).await? else {
        return Ok(Vec::new());
    };
    use crate::catalog::aspects::{Relation, RelationSet};
    let edges = catalog
        .edges_of(
            &[entity.id],
            Direction::Downstream,
            RelationSet::of(&[Relation::TrainedBy]),
            None,
        )
        .await?;
    let models: Vec<crate::catalog::EntityId> = edges.iter().map(|e| e.edge.destination).collect();
    let keys: Vec<(crate::catalog::EntityId, &str)> =
        models.iter().map(|m| (*m, MODEL_ASPECT)).collect();
    let mut urns: Vec<Urn> = Vec::new();
    for a in catalog.latest_aspects(&keys).await? {
        let p: MlModelProperties = serde_json::from_str(&a.value).unwrap_or_default();
        urns.extend(p.groups.unwrap_or_default());
    }
    urns.sort();
    urns.dedup();
    let refs: Vec<&Urn> = urns.iter().collect();
    let entities = catalog.entities_by_urn(&refs).await?;
    model::groups_of(catalog, entities).await
}

/// `GET model-versions/search`.
pub async fn search(call: Call) -> Answer {
    let p = &call.params;
    let clauses = filter::parse(
        p.opt_str("filter")?.unwrap_or_default(),
        Target::ModelVersions,
    )
    .map_err(|e| MlflowError::invalid(format!("Invalid filter string: {e}")))?;
    let order_by = p.list("order_by")?;
    let order = if order_by.is_empty() {
        // MLflow's default: newest registered first.
        vec![
            (OrderKey::LastUpdated, false),
            (OrderKey::Name, true),
            (OrderKey::VersionNumber, false),
        ]
    } else {
        filter::order_by(&order_by, Target::ModelVersions).map_err(MlflowError::invalid)?
    };
    let size = page_size(&call, DEFAULT_RESULTS, MAX_RESULTS)?;
    let offset = filter::page_offset(p.opt_str("page_token")?).map_err(MlflowError::invalid)?;
    let mut found: Vec<(String, Version)> = candidates(&call, &clauses)
        .await?
        .into_iter()
        .filter(|(name, v)| {
            clauses.iter().all(|c| {
                c.matches(|f| match f {
                    Field::Name => Some(name.as_str()),
                    Field::RunId => v.run_id(),
                    Field::SourcePath => v.source(),
                    Field::VersionNumber => Some(v.label.as_str()),
                    Field::Tag(k) => v.props.custom_properties.get(k).map(String::as_str),
                })
            })
        })
        .collect();
    sort_by(&mut found, &order, |(name, v), k| match k {
        OrderKey::Name => SortValue::Text(name.clone()),
        OrderKey::Created => SortValue::Number(v.created()),
        OrderKey::LastUpdated => SortValue::Number(v.last_updated()),
        OrderKey::VersionNumber => SortValue::Number(v.number()),
    });
    let total = found.len();
    let page: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(size)
        .map(|(name, v)| v.to_json(name))
        .collect();
    let mut body = json!({"model_versions": page});
    if offset + size < total {
        body["next_page_token"] = json!(filter::page_token(offset + size));
    }
    Ok(Json(body))
}

/// `GET model-versions/get-download-uri`: the source the version was registered with.
pub async fn download_uri(call: Call) -> Answer {
    let (_, version) = named(&call).await?;
    Ok(Json(
        json!({"artifact_uri": version.source().unwrap_or_default()}),
    ))
}

/// `POST model-versions/set-tag`.
pub async fn set_tag(call: Call) -> Answer {
    let key = call.params.str("key")?.to_string();
    let value = call
        .params
        .opt_str("value")?
        .unwrap_or_default()
        .to_string();
    let (_, version) = named(&call).await?;
    let write = edit_model(&version.urn, move |p| {
        p.custom_properties.insert(key, value);
        Ok(())
    });
    call.write(vec![write]).await?;
    done()
}

/// `DELETE model-versions/delete-tag`.
pub async fn delete_tag(call: Call) -> Answer {
    let key = call.params.str("key")?.to_string();
    let (_, version) = named(&call).await?;
    if !version.props.custom_properties.contains_key(&key) {
        return done();
    }
    let write = edit_model(&version.urn, move |p| {
        p.custom_properties.remove(&key);
        Ok(())
    });
    call.write(vec![write]).await?;
    done()
}

/// `GET registered-models/alias`: the version an alias names.
pub async fn by_alias(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let alias = p.str("alias")?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let not_found = || MlflowError::not_found(format!("Registered model alias {alias} not found."));
    let set = model::set_of(catalog, &group).await?;
    let holder = versions::alias_holder(catalog, &set, alias)
        .await?
        .ok_or_else(not_found)?;
    let v = model::version_by_urn(catalog, &group, &holder)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(json!({"model_version": v.to_json(group.name())})))
}
