//! Aliases of a version set: moved atomically with an optional compare-and-set, read now or as
//! of a time, and their history. The set's `versionSetAliases` aspect is the alias map (the
//! source of truth); each move also keeps the old and new holders' `versionProperties.aliases`
//! in step, in the same batch. See `versions.rs` for the whole API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::aspects::{AliasEntry, AspectSpec, VersionProperties, VersionSetAliases, VersionTag};
use super::history::Version;
use super::versions::{back_off, cause, check_label, check_member, check_set, patch_version};
use super::write::{Actor, AspectWrite};
use super::{Catalog, Error, Result};
use crate::store::{aspect, now_millis};
use crate::urn::Urn;

/// One move of an alias: who held it before (`from`) and after (`to`; `None` = removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasMove {
    pub alias: String,
    pub from: Option<Urn>,
    pub to: Option<Urn>,
    /// When, in milliseconds.
    pub at: i64,
    /// Who moved it.
    pub actor: String,
}

/// Adds or removes an alias in a version's `versionProperties.aliases`.
fn tag_alias(props: &mut VersionProperties, alias: &str, add: bool) -> bool {
    let has = props
        .aliases
        .iter()
        .any(|t| t.version_tag.as_deref() == Some(alias));
    if add && !has {
        props.aliases.push(VersionTag {
            version_tag: Some(alias.to_string()),
            extra: Default::default(),
        });
        true
    } else if !add && has {
        props
            .aliases
            .retain(|t| t.version_tag.as_deref() != Some(alias));
        true
    } else {
        false
    }
}

impl Catalog {
    /// The set's alias map, now or as it stood at `as_of` (milliseconds); two statements.
    pub async fn aliases(&self, set: &Urn, as_of: Option<i64>) -> Result<Vec<AliasEntry>> {
        check_set(set)?;
        let stored = match as_of {
            None => self
                .aspect_version(set, VersionSetAliases::NAME, Version::Latest)
                .await?
                .map(|v| v.value),
            Some(t) => {
                let Some(row) = self.entity(set).await? else {
                    return Ok(Vec::new());
                };
                aspect::version_at(self.reader().await, row.id.0, VersionSetAliases::NAME, t)
                    .await?
                    .and_then(|v| serde_json::from_str(&v.value).ok())
            }
        };
        Ok(stored
            .and_then(|v| serde_json::from_value::<VersionSetAliases>(v).ok())
            .map(|a| a.aliases)
            .unwrap_or_default())
    }

    /// The version holding `alias` now, or at `as_of` (milliseconds).
    pub async fn alias_holder(
        &self,
        set: &Urn,
        alias: &str,
        as_of: Option<i64>,
    ) -> Result<Option<Urn>> {
        Ok(self
            .aliases(set, as_of)
            .await?
            .into_iter()
            .find(|a| a.alias == alias)
            .map(|a| a.version))
    }

    /// Every move of `alias` in the set, oldest first, each with its time and actor.
    pub async fn alias_history(&self, set: &Urn, alias: &str) -> Result<Vec<AliasMove>> {
        check_set(set)?;
        let Some(row) = self.entity(set).await? else {
            return Ok(Vec::new());
        };
        let mut versions = self
            .aspect_histories(&[row.id], Some(VersionSetAliases::NAME), 1_000_000_000)
            .await?;
        versions.reverse();
        let mut held: Option<Urn> = None;
        let mut moves = Vec::new();
        for v in versions {
            let map: VersionSetAliases = serde_json::from_value(v.value).unwrap_or_default();
            let now = map.holder(alias).cloned();
            if now != held {
                moves.push(AliasMove {
                    alias: alias.to_string(),
                    from: held.take(),
                    to: now.clone(),
                    at: v.created_at,
                    actor: v.actor,
                });
                held = now;
            }
        }
        Ok(moves)
    }

    /// Moves `alias` of `set` to the version `to`, or removes it (`to = None`), in one batch:
    /// the set's alias map and the old and new holders' `versionProperties.aliases`. With
    /// `expect`, only if the alias is held by that version now (`Some(None)`: by none), else
    /// `Conflict`. A move to the version holding it already changes nothing. `to` must be a
    /// version of `set` (`BadInput` otherwise).
    pub async fn move_alias(
        &self,
        actor: &Actor,
        set: &Urn,
        alias: &str,
        to: Option<&Urn>,
        expect: Option<Option<Urn>>,
    ) -> Result<AliasMove> {
        check_set(set)?;
        check_label("alias", alias)?;
        if let Some(to) = to {
            check_member("version", set, to)?;
        }
        let started = Instant::now();
        // The holder a refused attempt saw inside its transaction: the next attempt starts
        // from it instead of reading again.
        let observed: Arc<Mutex<Option<Option<Urn>>>> = Arc::default();
        for attempt in 0.. {
            let seen = observed.lock().map(|mut o| o.take()).unwrap_or(None);
            let holder = match seen {
                Some(holder) => holder,
                None => self.alias_holder(set, alias, None).await?,
            };
            if let Some(expected) = &expect {
                if holder != *expected {
                    return Err(alias_conflict(alias, &holder, expected));
                }
            }
            if holder.as_ref() == to {
                if let Some(to) = to {
                    // Still refuse a version that is not one of the set's.
                    if self.set_of(to).await?.as_ref() != Some(set) {
                        return Err(not_in_set(to, set, None));
                    }
                }
                return Ok(AliasMove {
                    alias: alias.to_string(),
                    from: holder.clone(),
                    to: holder,
                    at: now_millis(),
                    actor: actor.name.clone(),
                });
            }
            let stale = Arc::new(AtomicBool::new(false));
            let (seen, name, target, flag, saw) = (
                holder.clone(),
                alias.to_string(),
                to.cloned(),
                stale.clone(),
                observed.clone(),
            );
            let mut writes = vec![AspectWrite::patch(
                set.clone(),
                VersionSetAliases::NAME,
                move |a: &mut VersionSetAliases| {
                    let actual = a.holder(&name).cloned();
                    if actual != seen {
                        flag.store(true, Ordering::SeqCst);
                        if let Ok(mut saw) = saw.lock() {
                            *saw = Some(actual.clone());
                        }
                        return Err(alias_conflict(&name, &actual, &seen));
                    }
                    a.set(&name, target.as_ref());
                    Ok(())
                },
            )];
            if let Some(old) = &holder {
                let name = alias.to_string();
                writes.push(patch_version(old.clone(), move |p| {
                    Ok(p.and_then(|mut p| tag_alias(&mut p, &name, false).then_some(p)))
                }));
            }
            if let Some(to) = to {
                let (name, set2, to2) = (alias.to_string(), set.clone(), to.clone());
                writes.push(patch_version(to.clone(), move |p| match p {
                    Some(mut p) if p.version_set == set2 => {
                        Ok(tag_alias(&mut p, &name, true).then_some(p))
                    }
                    other => Err(not_in_set(&to2, &set2, other.map(|p| p.version_set))),
                }));
            }
            match self.write(actor, writes).await {
                Ok(written) => {
                    let version = written[0].version;
                    let at = self
                        .aspect_version(set, VersionSetAliases::NAME, Version::Number(version))
                        .await?
                        .map_or_else(now_millis, |v| v.created_at);
                    return Ok(AliasMove {
                        alias: alias.to_string(),
                        from: holder,
                        to: to.cloned(),
                        at,
                        actor: actor.name.clone(),
                    });
                }
                Err(e) if stale.load(Ordering::SeqCst) && expect.is_none() => {
                    back_off(started, attempt, cause(e)).await?;
                }
                Err(e) => return Err(cause(e)),
            }
        }
        unreachable!("the retry loop returns")
    }
}

fn holder_text(holder: &Option<Urn>) -> String {
    holder
        .as_ref()
        .map_or_else(|| "no version".to_string(), |u| u.to_string())
}

fn alias_conflict(alias: &str, actual: &Option<Urn>, expected: &Option<Urn>) -> Error {
    Error::Conflict(format!(
        "alias {alias:?} is held by {}, not by {}",
        holder_text(actual),
        holder_text(expected)
    ))
}

fn not_in_set(version: &Urn, set: &Urn, other: Option<Urn>) -> Error {
    Error::BadInput(match other {
        Some(other) => format!("version: {version} is a version of {other}, not of {set}"),
        None => format!("version: {version} is not a version of {set}; link it first"),
    })
}
