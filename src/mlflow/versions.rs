//! The version core as the MLflow front door uses it: numbering, linking a model to its
//! group's version set, unlinking, and moving aliases. A thin layer over the catalog's
//! version API, so the handlers name what they do and not how the catalog spells it.

use serde_json::{json, Value};

use super::model::{Group, Version, VERSION_ASPECT};
use super::MlflowError;
use crate::catalog::{Actor, AspectWrite, Catalog, Error, Patched, WriteOp};
use crate::urn::Urn;

/// The label the next version of a group gets: one more than the highest number so far.
pub fn next_label(versions: &[Version]) -> String {
    let top = versions
        .iter()
        .filter_map(|v| v.label.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    (top + 1).to_string()
}

/// Makes `model` version `label` of the group's set. A label the set has is `Conflict`.
pub async fn link(
    catalog: &Catalog,
    actor: &Actor,
    group: &Group,
    model: &Urn,
    label: &str,
    created: i64,
) -> Result<(), Error> {
    let set = group.set().to_string();
    let value = json!({
        "versionSet": set,
        "version": {"versionTag": label},
        "sortId": format!("{label:0>10}"),
        "aliases": [],
        "versioningScheme": "ALPHANUMERIC_GENERATED_BY_DATAHUB",
        "sourceCreatedTimestamp": {"time": created},
    });
    let what = format!("Model Version (name={}, version={label})", group.name());
    catalog
        .write(
            actor,
            vec![AspectWrite::create(
                model.clone(),
                VERSION_ASPECT,
                value,
                what,
            )],
        )
        .await?;
    Ok(())
}

/// Takes `model` out of the group's set.
pub async fn unlink(catalog: &Catalog, actor: &Actor, model: &Urn) -> Result<(), Error> {
    catalog
        .write(
            actor,
            vec![AspectWrite::delete(model.clone(), VERSION_ASPECT)],
        )
        .await?;
    Ok(())
}

/// Edits the aliases of a version's `versionProperties`.
fn alias_edit(model: &Urn, alias: &str, add: bool) -> AspectWrite {
    let alias = alias.to_string();
    AspectWrite {
        op: WriteOp::Patch(Box::new(move |current| {
            let mut value = current.unwrap_or_else(|| json!({}));
            let list = value
                .as_object_mut()
                .map(|o| o.entry("aliases").or_insert_with(|| json!([])));
            let Some(Value::Array(list)) = list else {
                return Err(Error::Conflict(
                    "versionProperties.aliases is not a list".into(),
                ));
            };
            let before = list.len();
            list.retain(|t| t.get("versionTag").and_then(Value::as_str) != Some(alias.as_str()));
            if add {
                list.push(json!({"versionTag": alias}));
            }
            let changed = add || list.len() != before;
            Ok(Patched { value, changed })
        })),
        ..AspectWrite::delete(model.clone(), VERSION_ASPECT)
    }
}

/// Moves `alias` of the group to `to` (`None` removes it): one batch.
pub async fn move_alias(
    catalog: &Catalog,
    actor: &Actor,
    versions: &[Version],
    alias: &str,
    to: Option<&Version>,
) -> Result<(), MlflowError> {
    let mut writes = Vec::new();
    for v in versions {
        if v.aliases.iter().any(|a| a == alias) && Some(&v.urn) != to.map(|t| &t.urn) {
            writes.push(alias_edit(&v.urn, alias, false));
        }
    }
    if let Some(to) = to {
        writes.push(alias_edit(&to.urn, alias, true));
    }
    if !writes.is_empty() {
        catalog.write(actor, writes).await?;
    }
    Ok(())
}

/// The version that holds `alias`, if any.
pub fn alias_holder<'v>(versions: &'v mut [Version], alias: &str) -> Option<&'v mut Version> {
    versions
        .iter_mut()
        .find(|v| v.aliases.iter().any(|a| a == alias))
}
