//! The registered-model calls: create, get, rename, update, delete, search, latest versions,
//! tags and aliases. A registered model is an `mlModelGroup` on platform `mlflow` (`model.rs`).

use axum::Json;
use serde_json::{json, Value};

use super::filter::{self, Field, OrderKey, Target};
use super::model::{self, Group, GROUP_ASPECT};
use super::{done, versions, Answer, Call, MlflowError};
use crate::catalog::aspects::{MlModelGroupProperties, TimeStamp};
use crate::catalog::{AspectWrite, Error, ListFilter};
use crate::store::now_millis;
use crate::urn::{EntityKind, Urn};

/// The most registered models one search page holds, as MLflow's server allows.
const MAX_RESULTS: i64 = 1000;
const DEFAULT_RESULTS: i64 = 100;

/// Refuses a name MLflow refuses: empty, or with `/` or `:`.
pub fn check_name(field: &str, name: &str) -> Result<(), MlflowError> {
    if name.trim().is_empty() {
        return Err(MlflowError::invalid(format!(
            "Missing value for required parameter '{field}'."
        )));
    }
    if name.contains(['/', ':']) {
        return Err(MlflowError::invalid(format!(
            "Invalid model name '{name}'. Names cannot contain '/' or ':'."
        )));
    }
    Ok(())
}

/// Writes a change of a group's properties, stamping `lastModified`.
fn edit_group(
    urn: &Urn,
    edit: impl FnOnce(&mut MlModelGroupProperties) -> Result<(), Error> + Send + 'static,
) -> AspectWrite {
    let now = now_millis();
    AspectWrite::patch::<MlModelGroupProperties, _>(urn.clone(), GROUP_ASPECT, move |p| {
        edit(p)?;
        p.last_modified = Some(TimeStamp {
            time: now,
            actor: None,
            extra: Default::default(),
        });
        Ok(())
    })
    .existing()
}

/// A group as MLflow's answer, with its versions.
async fn answer(call: &Call, group: &Group) -> Answer {
    let catalog = &call.state.catalog;
    let versions = model::shown_versions(catalog, group).await?;
    Ok(Json(
        json!({"registered_model": model::group_json(group, &versions)}),
    ))
}

/// The group again after a write.
async fn reread(call: &Call, urn: &Urn) -> Result<Group, MlflowError> {
    let catalog = &call.state.catalog;
    let entity = catalog.entity(urn).await?;
    model::groups_of(catalog, entity.into_iter().collect())
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| MlflowError::not_found(format!("Registered Model {urn} not found")))
}

/// A URN for a new registered model: the one its name makes, unless another model holds it
/// (one renamed away from this name, or one written by another client); a name a URN cannot
/// hold as it is (unbalanced parentheses) is written with `_` for them, the name property
/// keeping it whole.
async fn free_urn(call: &Call, name: &str) -> Result<Urn, MlflowError> {
    let catalog = &call.state.catalog;
    let key = if model::group_urn(name).is_ok() {
        name.to_string()
    } else {
        name.replace(['(', ')'], "_")
    };
    for n in 1..100 {
        let urn = if n == 1 {
            model::group_urn(&key)?
        } else {
            model::group_urn(&format!("{key}-{n}"))?
        };
        if catalog.entity(&urn).await?.is_none_or(|e| !e.exists) {
            return Ok(urn);
        }
    }
    Err(MlflowError::exists(format!(
        "Registered Model (name={name}) cannot be given a URN: too many models were renamed from this name"
    )))
}

/// `POST registered-models/create`.
pub async fn create(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?.to_string();
    check_name("name", &name)?;
    let tags = p.tags()?;
    let description = p.opt_str("description")?.map(str::to_string);
    let catalog = &call.state.catalog;
    if model::find_group(catalog, &name).await?.is_some() {
        return Err(MlflowError::exists(format!(
            "Registered Model (name={name}) already exists."
        )));
    }
    let urn = free_urn(&call, &name).await?;
    let now = now_millis();
    let props = MlModelGroupProperties {
        name: Some(name.clone()),
        description,
        custom_properties: tags.into_iter().collect(),
        created: Some(TimeStamp {
            time: now,
            actor: Some(call.user().to_string()),
            extra: Default::default(),
        }),
        last_modified: Some(TimeStamp {
            time: now,
            actor: None,
            extra: Default::default(),
        }),
        ..MlModelGroupProperties::default()
    };
    let value = serde_json::to_value(props).map_err(|e| Error::Internal(e.into()))?;
    let what = format!("Registered Model (name={name})");
    let write = AspectWrite::create(urn.clone(), GROUP_ASPECT, value, what);
    match call.write(vec![write]).await {
        Ok(_) => {}
        Err(Error::Conflict(m)) => return Err(MlflowError::exists(m)),
        Err(e) => return Err(e.into()),
    }
    let group = reread(&call, &urn).await?;
    answer(&call, &group).await
}

/// `GET registered-models/get`.
pub async fn get(call: Call) -> Answer {
    let name = call.params.str("name")?;
    let group = model::group(&call.state.catalog, name).await?;
    answer(&call, &group).await
}

/// `POST registered-models/rename`: the name changes, the URN stays.
pub async fn rename(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let new_name = p.str("new_name")?.to_string();
    check_name("new_name", &new_name)?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    if new_name != name && model::find_group(catalog, &new_name).await?.is_some() {
        return Err(MlflowError::exists(format!(
            "Registered Model (name={new_name}) already exists."
        )));
    }
    let to = new_name.clone();
    let write = edit_group(&group.urn, move |p| {
        p.name = Some(to);
        Ok(())
    });
    call.write(vec![write]).await?;
    let group = reread(&call, &group.urn).await?;
    answer(&call, &group).await
}

/// `PATCH registered-models/update`: the description.
pub async fn update(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let description = p.opt_str("description")?.map(str::to_string);
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let write = edit_group(&group.urn, move |p| {
        p.description = description.filter(|d| !d.is_empty());
        Ok(())
    });
    call.write(vec![write]).await?;
    let group = reread(&call, &group.urn).await?;
    answer(&call, &group).await
}

/// `DELETE registered-models/delete`: the group, its versions and its version set are erased,
/// in one transaction.
pub async fn delete(call: Call) -> Answer {
    let name = call.params.str("name")?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let all = model::versions(catalog, &group).await?;
    let set = versions::set_of(&group, &all);
    let mut urns: Vec<Urn> = all.into_iter().map(|v| v.urn).collect();
    urns.push(set);
    urns.push(group.urn.clone());
    catalog.hard_delete_many(&call.actor, &urns).await?;
    done()
}

/// The registered models a filter may match: the one its `name =` names, or every
/// registered model.
async fn candidates(call: &Call, clauses: &[filter::Clause]) -> Result<Vec<Group>, MlflowError> {
    let catalog = &call.state.catalog;
    for c in clauses {
        if let (Field::Name, filter::Op::Eq, filter::Operand::Text(name)) =
            (&c.field, c.op, &c.value)
        {
            return Ok(model::find_group(catalog, name)
                .await?
                .into_iter()
                .collect());
        }
    }
    // A name pattern is asked of the database, which reads the names of every registered
    // model but hands back only those that may match (case aside): the caller's exact match
    // narrows them. SQLite's LIKE ignores the case of ASCII letters only, so a case-insensitive
    // pattern with other letters reads every model instead.
    for c in clauses {
        if let (
            Field::Name,
            op @ (filter::Op::Like | filter::Op::ILike),
            filter::Operand::Text(p),
        ) = (&c.field, c.op, &c.value)
        {
            if op == filter::Op::Like || p.is_ascii() {
                let found = catalog
                    .named_like(
                        &EntityKind::MlModelGroup,
                        model::PLATFORM,
                        model::GROUP_ASPECT,
                        p,
                    )
                    .await?;
                return model::groups_of(catalog, found).await;
            }
        }
    }
    all_groups(call).await
}

/// Every registered model, a thousand entities per read.
pub async fn all_groups(call: &Call) -> Result<Vec<Group>, MlflowError> {
    let catalog = &call.state.catalog;
    let filter = ListFilter {
        platform: Some(model::PLATFORM.to_string()),
        ..ListFilter::default()
    };
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let (page, total) = catalog
            .list(&EntityKind::MlModelGroup, &filter, start, 1000)
            .await?;
        let read = page.len() as u64;
        out.extend(model::groups_of(catalog, page).await?);
        start += read;
        if read == 0 || start >= total {
            break;
        }
    }
    Ok(out)
}

/// Sorts `items` by MLflow's `order_by`.
pub fn sort_by<T>(
    items: &mut [T],
    order: &[(OrderKey, bool)],
    key: impl Fn(&T, OrderKey) -> SortValue,
) {
    items.sort_by(|a, b| {
        for (k, asc) in order {
            let o = key(a, *k).cmp(&key(b, *k));
            let o = if *asc { o } else { o.reverse() };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

/// A value results are sorted by.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub enum SortValue {
    Number(i64),
    Text(String),
}

/// The page size a search asks for, within MLflow's bounds.
pub fn page_size(call: &Call, default: i64, max: i64) -> Result<usize, MlflowError> {
    let n = call.params.int("max_results")?.unwrap_or(default);
    if n <= 0 || n > max {
        return Err(MlflowError::invalid(format!(
            "Invalid value {n} for parameter 'max_results' supplied. It must be at most {max} and positive."
        )));
    }
    Ok(n as usize)
}

/// `GET registered-models/search`.
pub async fn search(call: Call) -> Answer {
    let p = &call.params;
    let clauses = filter::parse(
        p.opt_str("filter")?.unwrap_or_default(),
        Target::RegisteredModels,
    )
    .map_err(|e| MlflowError::invalid(format!("Invalid filter string: {e}")))?;
    let order = filter::order_by(&p.list("order_by")?, Target::RegisteredModels)
        .map_err(MlflowError::invalid)?;
    let size = page_size(&call, DEFAULT_RESULTS, MAX_RESULTS)?;
    let offset = filter::page_offset(p.opt_str("page_token")?).map_err(MlflowError::invalid)?;
    let mut groups: Vec<Group> = candidates(&call, &clauses)
        .await?
        .into_iter()
        .filter(|g| {
            clauses.iter().all(|c| {
                c.matches(|f| match f {
                    Field::Name => Some(g.name()),
                    Field::Tag(k) => g.props.custom_properties.get(k).map(String::as_str),
                    _ => None,
                })
            })
        })
        .collect();
    sort_by(&mut groups, &order, |g, k| match k {
        OrderKey::Name => SortValue::Text(g.name().to_string()),
        OrderKey::Created => SortValue::Number(g.created()),
        OrderKey::LastUpdated | OrderKey::VersionNumber => SortValue::Number(g.last_updated()),
    });
    let total = groups.len();
    let page: Vec<&Group> = groups.iter().skip(offset).take(size).collect();
    let catalog = &call.state.catalog;
    let mut versions = model::shown_versions_of(catalog, &page).await?;
    let models: Vec<Value> = page
        .iter()
        .map(|g| model::group_json(g, &versions.remove(&g.id).unwrap_or_default()))
        .collect();
    let mut body = json!({"registered_models": models});
    if offset + size < total {
        body["next_page_token"] = json!(filter::page_token(offset + size));
    }
    Ok(Json(body))
}

/// `GET|POST registered-models/get-latest-versions`: the latest version of each stage.
pub async fn latest_versions(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let stages = p
        .list("stages")?
        .iter()
        .map(|s| model::stage(s))
        .collect::<Result<Vec<_>, _>>()?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let versions = model::shown_versions(catalog, &group).await?;
    let latest: Vec<Value> = model::latest_per_stage(&versions, &stages)
        .into_iter()
        .map(|v| v.to_json(group.name()))
        .collect();
    Ok(Json(json!({"model_versions": latest})))
}

/// `POST registered-models/set-tag`.
pub async fn set_tag(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let key = p.str("key")?.to_string();
    let value = p.opt_str("value")?.unwrap_or_default().to_string();
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let write = edit_group(&group.urn, move |p| {
        p.custom_properties.insert(key, value);
        Ok(())
    });
    call.write(vec![write]).await?;
    done()
}

/// `DELETE registered-models/delete-tag`.
pub async fn delete_tag(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let key = p.str("key")?.to_string();
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    if !group.props.custom_properties.contains_key(&key) {
        return done();
    }
    let write = edit_group(&group.urn, move |p| {
        p.custom_properties.remove(&key);
        Ok(())
    });
    call.write(vec![write]).await?;
    done()
}

/// Refuses an alias MLflow refuses.
pub fn check_alias(alias: &str) -> Result<(), MlflowError> {
    if alias.is_empty() {
        return Err(MlflowError::invalid(
            "Registered model alias name cannot be empty.",
        ));
    }
    if !alias
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(MlflowError::invalid(format!(
            "Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-)."
        )));
    }
    if alias.chars().count() > 255 {
        return Err(MlflowError::invalid(
            "Registered model alias name is longer than 255 characters.",
        ));
    }
    if alias.eq_ignore_ascii_case("latest") {
        return Err(MlflowError::invalid(
            "'latest' alias name (case insensitive) is reserved.",
        ));
    }
    let rest = alias.strip_prefix(['v', 'V']).unwrap_or("");
    if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
        return Err(MlflowError::invalid(format!(
            "Version alias name '{alias}' is reserved."
        )));
    }
    Ok(())
}

/// `POST registered-models/alias`: points the alias at a version (moving it from another).
pub async fn set_alias(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let alias = p.str("alias")?;
    check_alias(alias)?;
    let label = p.str("version")?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let to = model::version(catalog, &group, label).await?;
    let set = model::set_of(catalog, &group).await?;
    versions::move_alias(catalog, &call.actor, &set, alias, Some(&to.urn)).await?;
    done()
}

/// `DELETE registered-models/alias`.
pub async fn delete_alias(call: Call) -> Answer {
    let p = &call.params;
    let name = p.str("name")?;
    let alias = p.str("alias")?;
    let catalog = &call.state.catalog;
    let group = model::group(catalog, name).await?;
    let set = model::set_of(catalog, &group).await?;
    versions::move_alias(catalog, &call.actor, &set, alias, None).await?;
    done()
}
