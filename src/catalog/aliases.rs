//! Aliases of a version set: moved atomically with an optional compare-and-set, read now or as
//! of a time, and their history. The set's `versionSetAliases` aspect is the alias map (the
//! source of truth); each move also keeps the old and new holders' `versionProperties.aliases`
//! in step, in the same batch. See `versions.rs` for the whole API.

use futures_util::FutureExt;
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
                self.read(|db| aspect::version_at(db, row.id.0, VersionSetAliases::NAME, t).boxed())
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

/// A set, and the versions of it a batch writes whole with the aliases each lists.
type WrittenSet = (Urn, Vec<(Urn, Vec<String>)>);

impl Catalog {
    /// The writes that keep alias maps in step with a batch that replaces versions'
    /// `versionProperties` whole (DataHub's SDK writes them so), to be written in the same
    /// transaction: each alias a written version lists moves to it in its set's map, from the
    /// version that held it (whose own `versionProperties.aliases` loses it), and an alias the
    /// map gave it that it no longer lists is removed; each is a move in the alias history.
    /// The map is compared and set: if it changed between this read and the write, the batch
    /// is refused with `Conflict` and nothing is written. A set without a map gets one when a
    /// written version lists an alias, first filled from the aliases its versions' aspects
    /// list (a version later in the set's order keeps an alias two list).
    pub fn alias_writes_for(
        &self,
        writes: &[AspectWrite],
    ) -> impl std::future::Future<Output = Result<Vec<AspectWrite>>> + Send + '_ {
        use super::write::WriteOp;
        // What the writes list, taken out before any read: a write is not `Sync`.
        let mut by_set: Vec<WrittenSet> = Vec::new();
        for w in writes {
            let WriteOp::Upsert(value) = &w.op else {
                continue;
            };
            if w.aspect != VersionProperties::NAME {
                continue;
            }
            // One that does not decode is refused by the write itself.
            let Ok(p) = serde_json::from_value::<VersionProperties>(value.clone()) else {
                continue;
            };
            let aliases: Vec<String> = p
                .aliases
                .iter()
                .filter_map(|t| t.version_tag.clone())
                .collect();
            match by_set.iter_mut().find(|(s, _)| *s == p.version_set) {
                Some((_, list)) => list.push((w.urn.clone(), aliases)),
                None => by_set.push((p.version_set.clone(), vec![(w.urn.clone(), aliases)])),
            }
        }
        self.alias_moves(by_set)
    }

    /// [`Catalog::alias_writes_for`] once the written versions are known: `(set, [(version,
    /// the aliases it lists)])`.
    async fn alias_moves(&self, by_set: Vec<WrittenSet>) -> Result<Vec<AspectWrite>> {
        let mut out = Vec::new();
        for (set, written) in by_set {
            if check_set(&set).is_err() {
                continue;
            }
            let stored: Option<VersionSetAliases> = self
                .aspect_version(&set, VersionSetAliases::NAME, Version::Latest)
                .await?
                .map(|v| serde_json::from_value(v.value).unwrap_or_default());
            let lists_any = written.iter().any(|(_, a)| !a.is_empty());
            let seen = match &stored {
                Some(map) => map.clone(),
                None if !lists_any => continue,
                None => {
                    let mut seeded = VersionSetAliases::default();
                    for r in self.versions(&set).await? {
                        for t in &r.properties.aliases {
                            if let Some(a) = &t.version_tag {
                                seeded.set(a, Some(&r.urn));
                            }
                        }
                    }
                    seeded
                }
            };
            let mut next = seen.clone();
            for (entity, aliases) in &written {
                for held in seen.aliases.iter().filter(|a| a.version == *entity) {
                    if !aliases.contains(&held.alias) {
                        next.set(&held.alias, None);
                    }
                }
                for a in aliases {
                    next.set(a, Some(entity));
                }
            }
            let before = stored.clone().unwrap_or_default();
            if next == before {
                continue;
            }
            // The versions that lose an alias and are not written here.
            for a in &seen.aliases {
                let rewritten = written.iter().any(|(e, _)| *e == a.version);
                if !rewritten && next.holder(&a.alias) != Some(&a.version) {
                    let name = a.alias.clone();
                    out.push(patch_version(a.version.clone(), move |p| {
                        Ok(p.and_then(|mut p| tag_alias(&mut p, &name, false).then_some(p)))
                    }));
                }
            }
            let set_text = set.to_string();
            out.push(AspectWrite::patch(
                set.clone(),
                VersionSetAliases::NAME,
                move |m: &mut VersionSetAliases| {
                    if *m != before {
                        return Err(Error::Conflict(format!(
                            "the aliases of {set_text} were moved while this batch was written; \
                             send it again"
                        )));
                    }
                    *m = next;
                    Ok(())
                },
            ));
        }
        Ok(out)
    }
}
