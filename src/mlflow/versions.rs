//! The version core as the MLflow front door uses it (`Catalog::link_version`,
//! `unlink_version`, `next_label`, `move_alias`, `alias_holder`): numbering a new version and
//! creating it with its link in one transaction, and aliases. The handlers name what they do;
//! how the catalog spells it is here.

use super::model::{self, Group, Version};
use super::MlflowError;
use crate::catalog::{Actor, AspectWrite, Catalog, Error, LinkVersion, VersionRecord};
use crate::urn::Urn;

/// The version set of a registered model: the set its versions belong to, or, before it has
/// any, the one its URN makes.
pub fn set_of(group: &Group, versions: &[Version]) -> Urn {
    versions
        .first()
        .and_then(|v| Urn::parse(&v.set).ok())
        .unwrap_or_else(|| group.set())
}

/// Creates the next version of a group: its model, with the aspects `aspects` makes for its
/// URN, and its link to the set, in one transaction. Of two creations that pick the same
/// number, one links and the other takes the next number. Answers the new version.
///
/// The link is `fresh`: a model that is a version already is refused with `Conflict` rather
/// than answered, so a creation that lost the race for a number is never told it made the
/// version, and goes on to the next number.
pub async fn create(
    catalog: &Catalog,
    actor: &Actor,
    group: &Group,
    created: i64,
    aspects: impl Fn(&Urn) -> Vec<AspectWrite> + Clone + Send + Sync + 'static,
) -> Result<VersionRecord, MlflowError> {
    // The group's own set, read for its next number: when it holds numbered versions it is the
    // group's set, and that read is the first attempt's (one statement fewer than asking
    // first and numbering after). Else the set is where the group's versions are, if any.
    let own = catalog.next_label(&group.set()).await?;
    let set = if own.highest_now > 0 {
        group.set()
    } else {
        model::set_of(catalog, group).await?
    };
    let mut first = (set == group.set()).then_some(own);
    let mut tried: u64 = 0;
    for _ in 0..50 {
        let next = match first.take() {
            Some(next) => next,
            None => catalog.next_label(&set).await?,
        };
        let number = next.label.parse::<u64>().unwrap_or(1).max(tried + 1);
        tried = number;
        let label = number.to_string();
        let urn = model::version_urn(&group.urn, &label)?;
        let mut link = LinkVersion::new(set.clone(), urn.clone(), Some(label));
        link.source_time = Some(created);
        link.source_creator = Some(actor.name.clone());
        link.fresh = true;
        link.numbered = Some(next);
        let (make, at) = (aspects.clone(), urn.clone());
        link.with = Some(Box::new(move || make(&at)));
        match catalog.link_version(actor, link).await {
            Ok(made) => return Ok(made),
            // The number (or the model of that number) was taken meanwhile: the next one.
            Err(Error::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(MlflowError::from(Error::Conflict(format!(
        "no free version number for Registered Model (name={}) after 50 tries; try again",
        group.name()
    ))))
}

/// Ends a version: the model is erased and leaves its set in one transaction (its aliases go,
/// each a move in the alias history; the latest moves to the version before it).
pub async fn delete(
    catalog: &Catalog,
    actor: &Actor,
    version: &Version,
) -> Result<(), MlflowError> {
    catalog
        .hard_delete_many(actor, std::slice::from_ref(&version.urn))
        .await?;
    Ok(())
}

/// Moves `alias` of the set to `to` (`None` removes it): one compare-and-set write of the
/// set's alias map and the versions it touches.
pub async fn move_alias(
    catalog: &Catalog,
    actor: &Actor,
    set: &Urn,
    alias: &str,
    to: Option<&Urn>,
) -> Result<(), MlflowError> {
    catalog.move_alias(actor, set, alias, to, None).await?;
    Ok(())
}

/// The model that holds `alias` of the set, if any.
pub async fn alias_holder(
    catalog: &Catalog,
    set: &Urn,
    alias: &str,
) -> Result<Option<Urn>, MlflowError> {
    Ok(catalog.alias_holder(set, alias, None).await?)
}
