//! Versions and aliases: an entity (a model or a dataset) is a version of a version set
//! (`urn:li:versionSet:(<id>,<entity type>)`) through its `versionProperties`, which declares
//! `VersionOf` (version → set), so a set's versions are one edge read. The set's aliases live in
//! one mlcat aspect of the set (`versionSetAliases`), the source of truth: each alias names at
//! most one version, every move is a new version of that aspect, so its history is the aliases'
//! history. Each version's `versionProperties.aliases` is kept in step in the same batch, so
//! DataHub's readers see the same aliases.
//!
//! The API the front doors use (GraphQL, the MLflow registry):
//!
//! - [`Catalog::link_version`]`(actor, LinkVersion) -> VersionRecord`: makes an entity a version
//!   of a set with a label (or the next number); refuses a label the set has and an entity of
//!   another set (`Conflict`), an entity type the set does not hold (`BadInput`).
//! - [`Catalog::unlink_version`]`(actor, set, entity)`: the entity stops being a version; the
//!   aliases it held are removed (in the alias history).
//! - [`Catalog::versions`]`(set) -> Vec<VersionRecord>`: in version order (ascending sort id),
//!   the last one marked latest; soft-deleted versions left out.
//! - [`Catalog::version_of`]`(entity)`, [`Catalog::set_of`]`(entity)`.
//! - [`Catalog::next_label`]`(set) -> NextLabel`: `"1"`, `"2"`, ...: one more than the highest
//!   number the set ever had, with the read it was chosen from (a link given it starts there).
//! - in `aliases.rs`: [`Catalog::move_alias`]`(actor, set, alias, to, expect) -> AliasMove`: `to = None` removes
//!   the alias; `expect` is a compare-and-set (`Some(None)`: only if nobody holds it),
//!   `Conflict` when it does not hold; a version of another set is `BadInput`.
//! - [`Catalog::alias_holder`]`(set, alias, as_of)`, [`Catalog::aliases`]`(set, as_of)`,
//!   [`Catalog::alias_history`]`(set, alias) -> Vec<AliasMove>` (oldest first).
//!
//! What a link or unlink needs of the set (is the label taken, the highest number, the latest,
//! the next latest) it reads from the version index (`version_index.rs`): a few index reads
//! whatever the number of versions; only [`Catalog::versions`] reads the set whole.
//!
//! Concurrency: a write reads the set's link counter first, then what else it needs, then
//! writes one batch that patches the set (a compare-and-set on the counter inside the
//! transaction, where the set's row is locked) and the versions it touches. When the set
//! changed since the read, the batch is refused and, unless the caller's own compare-and-set
//! failed, tried again from a fresh read, for up to [`RETRY_FOR`].

use futures_util::FutureExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::Value;

use super::aspects::{
    label_problem, sort_id_of, version_set_mismatch, version_set_parts, versioned_kinds,
    AspectSpec, Relation, RelationSet, TimeStamp, VersionProperties, VersionSetAliases,
    VersionSetLinks, VersionSetProperties, VersionTag,
};
use super::history::Version;
use super::lineage::Direction;
use super::records::{EntityId, EntityRecord};
use super::version_index::number;
use super::write::{Actor, AspectWrite, Patched, WriteOp};
use super::{Catalog, Error, Result};
use crate::store::{now_millis, version_member};
use crate::urn::Urn;

/// How long a write retries after other writers changed the set under it.
pub const RETRY_FOR: Duration = Duration::from_secs(30);

/// One version of a set, as the front doors answer it.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionRecord {
    /// The version's row.
    pub id: EntityId,
    pub urn: Urn,
    pub set: Urn,
    /// `version.versionTag`.
    pub label: String,
    /// Where it sorts in the set (ascending).
    pub sort_id: String,
    /// The aliases it holds, from the set's alias map, sorted.
    pub aliases: Vec<String>,
    pub comment: Option<String>,
    /// The last version of the set in sort order.
    pub is_latest: bool,
    /// When it was linked (`metadataCreatedTimestamp`), in milliseconds.
    pub created: Option<i64>,
    /// The stored aspect, for the fields above do not name (`sourceCreatedTimestamp`, ...).
    pub properties: VersionProperties,
}

/// What [`Catalog::link_version`] links.
pub struct LinkVersion {
    pub set: Urn,
    pub entity: Urn,
    /// The label; `None` takes the next number ([`Catalog::next_label`]), chosen inside the
    /// retry loop, so concurrent automatic links get distinct numbers.
    pub label: Option<String>,
    pub comment: Option<String>,
    /// When and by whom the version was made in its source system (by the linking actor when
    /// only the time is given).
    pub source_time: Option<i64>,
    pub source_creator: Option<String>,
    /// More writes for the same batch (the entity's own aspects, to create it with its link):
    /// called once per attempt.
    pub with: Option<Box<dyn Fn() -> Vec<AspectWrite> + Send + Sync>>,
    /// Refuse with `Conflict` an entity that is a version already, even of this set with this
    /// label, instead of answering its version: so `Ok` means this call made the version
    /// (MLflow's create, where two creators may pick the same number, needs to know). A fresh
    /// link does not read the entity's `versionProperties` or the label's holder first: its
    /// write refuses both (`Conflict`), in its transaction.
    pub fresh: bool,
    /// The read of the set that chose the label ([`Catalog::next_label`]): the first attempt
    /// starts from it instead of reading the set again (a retry reads afresh).
    pub numbered: Option<NextLabel>,
}

/// The next automatic label of a set ([`Catalog::next_label`]), with the read of the set's link
/// counter it was chosen from; a link given it starts from that read, so the counter's
/// compare-and-set covers the choice of the number.
#[derive(Clone, Debug)]
pub struct NextLabel {
    pub label: String,
    /// The highest number among the set's versions now (0: none is numbered).
    pub highest_now: u64,
    set: Urn,
    set_id: Option<i64>,
    links: VersionSetLinks,
    /// The set's latest version when read.
    latest: Option<version_member::Member>,
}

impl LinkVersion {
    pub fn new(set: Urn, entity: Urn, label: Option<String>) -> LinkVersion {
        LinkVersion {
            set,
            entity,
            label,
            comment: None,
            source_time: None,
            source_creator: None,
            with: None,
            fresh: false,
            numbered: None,
        }
    }
}

/// A set read whole: its versions (soft-deleted ones too) in order, and its aliases.
#[derive(Default)]
struct SetState {
    members: Vec<(Arc<EntityRecord>, VersionProperties)>,
    aliases: VersionSetAliases,
}

impl SetState {
    /// The live (not soft-deleted) versions, in order, latest marked.
    fn records(&self, set: &Urn) -> Vec<VersionRecord> {
        let mut held: HashMap<&str, Vec<String>> = HashMap::new();
        for a in &self.aliases.aliases {
            held.entry(a.version.as_str())
                .or_default()
                .push(a.alias.clone());
        }
        let live: Vec<&(Arc<EntityRecord>, VersionProperties)> =
            self.members.iter().filter(|(e, _)| !e.removed).collect();
        let last = live.len().saturating_sub(1);
        live.into_iter()
            .enumerate()
            .filter_map(|(i, (entity, props))| {
                let urn = Urn::parse(&entity.urn).ok()?;
                let aliases = held.get(entity.urn.as_str()).cloned().unwrap_or_default();
                Some(record(
                    set,
                    entity.id,
                    urn,
                    props.clone(),
                    aliases,
                    i == last,
                ))
            })
            .collect()
    }
}

pub(super) fn record(
    set: &Urn,
    id: EntityId,
    urn: Urn,
    props: VersionProperties,
    aliases: Vec<String>,
    is_latest: bool,
) -> VersionRecord {
    VersionRecord {
        id,
        urn,
        set: set.clone(),
        label: props.label().to_string(),
        sort_id: props.sort_key(),
        aliases,
        comment: props.comment.clone(),
        is_latest,
        created: props.metadata_created_timestamp.as_ref().map(|t| t.time),
        properties: props,
    }
}

/// A set's link counter as stored (none yet: zero).
fn decode_links(value: Option<String>) -> VersionSetLinks {
    value
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

/// The aliases of the set's alias map that `entity` holds, sorted.
pub(super) fn held_by(map: VersionSetAliases, entity: &Urn) -> Vec<String> {
    let mut held: Vec<String> = map
        .aliases
        .into_iter()
        .filter(|a| a.version == *entity)
        .map(|a| a.alias)
        .collect();
    held.sort();
    held
}

/// The next automatic number: one more than the highest the set ever had, now (`highest_now`)
/// or before (the link counter keeps numbers of versions since gone; the index has those the
/// SDK wrote).
fn following(highest_now: u64, links: &VersionSetLinks) -> u64 {
    highest_now.max(links.highest_number).saturating_add(1)
}

/// Refuses a URN that is not a version set's.
pub(super) fn check_set(set: &Urn) -> Result<()> {
    match version_set_mismatch(set) {
        Some(reason) => Err(Error::BadInput(format!("versionSet: {reason}"))),
        None => Ok(()),
    }
}

/// Refuses an entity that cannot be a version of `set`: not a model or dataset, or not of
/// the entity type the set's URN names.
pub(super) fn check_member(field: &str, set: &Urn, entity: &Urn) -> Result<()> {
    entity
        .expect_kind(field, &versioned_kinds())
        .map_err(Error::BadInput)?;
    if let Some((_, kind)) = version_set_parts(set) {
        if kind != entity.kind().as_str() {
            return Err(Error::BadInput(format!(
                "{field}: the version set {set} holds {kind} entities, and {entity} is a {}",
                entity.kind()
            )));
        }
    }
    Ok(())
}

pub(super) fn check_label(field: &str, label: &str) -> Result<()> {
    match label_problem(label) {
        Some(reason) => Err(Error::BadInput(format!("{field}: {reason}"))),
        None => Ok(()),
    }
}

/// The cause of a batch's error: the front doors answer what went wrong, not where.
pub(super) fn cause(e: Error) -> Error {
    match e {
        Error::InBatch(b) => b.cause,
        e => e,
    }
}

fn user_urn(actor: &str) -> String {
    if actor.starts_with("urn:li:") {
        actor.to_string()
    } else {
        format!("urn:li:corpuser:{actor}")
    }
}

/// A patch of a version's `versionProperties`: `edit` gets the stored aspect (or `None`) and
/// answers the new one, or `None` to leave it as it is. The entity must exist.
pub(super) fn patch_version<F>(urn: Urn, edit: F) -> AspectWrite
where
    F: FnOnce(Option<VersionProperties>) -> Result<Option<VersionProperties>> + Send + 'static,
{
    let op = WriteOp::Patch(Box::new(move |current: Option<Value>| {
        let typed = match &current {
            Some(v) => Some(VersionProperties::deserialize_value(v)?),
            None => None,
        };
        Ok(match edit(typed)? {
            Some(new) => Patched {
                value: serde_json::to_value(new).map_err(|e| Error::Internal(e.into()))?,
                changed: true,
            },
            None => Patched {
                value: current.unwrap_or(Value::Null),
                changed: false,
            },
        })
    }));
    AspectWrite {
        urn,
        aspect: VersionProperties::NAME.to_string(),
        op,
        must_exist: true,
        must_be_new: false,
        force: false,
        actor: None,
    }
}

impl VersionProperties {
    fn deserialize_value(v: &Value) -> Result<VersionProperties> {
        serde::Deserialize::deserialize(v).map_err(|e| {
            Error::Conflict(format!(
                "the stored versionProperties cannot be read ({e}); replace it whole first"
            ))
        })
    }
}

/// The patch of the set's link counter that every link and unlink makes: refused (and
/// `stale` raised) when another link or unlink came since the counter read `seen`.
fn bump_links(set: &Urn, seen: i64, highest: Option<u64>, stale: Arc<AtomicBool>) -> AspectWrite {
    AspectWrite::patch(
        set.clone(),
        VersionSetLinks::NAME,
        move |l: &mut VersionSetLinks| {
            if l.links != seen {
                stale.store(true, Ordering::SeqCst);
                return Err(Error::Conflict(
                    "the version set changed while this was written; try again".into(),
                ));
            }
            l.links += 1;
            if let Some(n) = highest {
                l.highest_number = l.highest_number.max(n);
            }
            Ok(())
        },
    )
}

/// Waits a little before trying again, or answers `e` when time is up.
pub(super) async fn back_off(started: Instant, attempt: u32, e: Error) -> Result<()> {
    if started.elapsed() > RETRY_FOR {
        return Err(e);
    }
    let most = 1u64 << attempt.min(6);
    let wait = rand::thread_rng().gen_range(0..=most);
    tokio::time::sleep(Duration::from_millis(wait)).await;
    Ok(())
}

impl Catalog {
    /// A set's versions and aliases: three statements (the set's row, its `VersionOf` edges
    /// with their ends, the aspects of the set and its versions).
    async fn set_state(&self, set: &Urn) -> Result<SetState> {
        let Some(row) = self.entity(set).await? else {
            return Ok(SetState::default());
        };
        let edges = self
            .edges_of(
                &[row.id],
                Direction::Upstream,
                RelationSet::of(&[Relation::VersionOf]),
                None,
            )
            .await?;
        let mut keys = Vec::with_capacity(edges.len() + 2);
        keys.push((row.id, VersionSetAliases::NAME));
        keys.extend(edges.iter().map(|e| (e.source.id, VersionProperties::NAME)));
        let mut state = SetState::default();
        let mut props = HashMap::with_capacity(edges.len());
        for found in self.latest_aspects(&keys).await? {
            match found.aspect.as_str() {
                VersionProperties::NAME if found.entity != row.id => {
                    if let Ok(p) = serde_json::from_str::<VersionProperties>(&found.value) {
                        props.insert(found.entity, p);
                    }
                }
                VersionSetAliases::NAME if found.entity == row.id => {
                    state.aliases = serde_json::from_str(&found.value).unwrap_or_default();
                }
                _ => {}
            }
        }
        let mut seen = std::collections::HashSet::new();
        for e in edges {
            if !seen.insert(e.source.id) {
                continue;
            }
            if let Some(p) = props.remove(&e.source.id) {
                if p.version_set == *set {
                    state.members.push((e.source, p));
                }
            }
        }
        state
            .members
            .sort_by_cached_key(|(e, p)| (p.sort_key(), e.urn.clone()));
        Ok(state)
    }

    /// The set's versions in version order (ascending sort id), the last one latest;
    /// soft-deleted versions are left out. Three statements however many versions there are.
    pub async fn versions(&self, set: &Urn) -> Result<Vec<VersionRecord>> {
        check_set(set)?;
        Ok(self.set_state(set).await?.records(set))
    }

    /// The stored `versionProperties` of an entity, if it has one that decodes.
    pub(super) async fn stored_version(&self, entity: &Urn) -> Result<Option<VersionProperties>> {
        let found = self
            .aspect_version(entity, VersionProperties::NAME, Version::Latest)
            .await?;
        Ok(found.and_then(|v| serde_json::from_value(v.value).ok()))
    }

    /// The set an entity is a version of, if any; one statement.
    pub async fn set_of(&self, entity: &Urn) -> Result<Option<Urn>> {
        Ok(self.stored_version(entity).await?.map(|p| p.version_set))
    }

    /// The entity as a version of its set (its aliases and whether it is the latest), if it
    /// is one and is not soft-deleted; three statements however many versions the set has
    /// (the entity's row with its `versionProperties`, the set's row with its aliases, the
    /// set's latest version), each read once.
    pub async fn version_of(&self, entity: &Urn) -> Result<Option<VersionRecord>> {
        let Some(own) = self
            .read(|db| {
                version_member::row_and_aspect(db, entity.as_str(), VersionProperties::NAME).boxed()
            })
            .await?
        else {
            return Ok(None);
        };
        let props = own
            .value
            .and_then(|v| serde_json::from_str::<VersionProperties>(&v).ok());
        let Some(props) = props.filter(|_| !own.removed) else {
            return Ok(None);
        };
        let set = props.version_set.clone();
        let Some(set_row) = self
            .read(|db| {
                version_member::row_and_aspect(db, set.as_str(), VersionSetAliases::NAME).boxed()
            })
            .await?
        else {
            return Ok(None);
        };
        let latest = self.indexed_latest(set_row.id, &[]).await?;
        let is_latest = latest.is_some_and(|m| m.entity_id == own.id);
        let aliases = set_row
            .value
            .and_then(|v| serde_json::from_str::<VersionSetAliases>(&v).ok())
            .unwrap_or_default();
        Ok(Some(record(
            &set,
            EntityId(own.id),
            entity.clone(),
            props,
            held_by(aliases, entity),
            is_latest,
        )))
    }

    /// The next automatic label of a set: one more than the highest number it ever had.
    /// One statement: the set's counter, highest number and latest version, which a link of
    /// that number reuses.
    pub async fn next_label(&self, set: &Urn) -> Result<NextLabel> {
        check_set(set)?;
        let found = self
            .read(|db| version_member::link_state(db, set.as_str(), VersionSetLinks::NAME).boxed())
            .await?;
        let (set_id, links, highest, latest) = match found {
            Some(f) => (Some(f.id), decode_links(f.value), f.highest, f.latest),
            None => (None, VersionSetLinks::default(), None, None),
        };
        let highest_now = highest.and_then(|n| u64::try_from(n).ok()).unwrap_or(0);
        Ok(NextLabel {
            label: following(highest_now, &links).to_string(),
            highest_now,
            set: set.clone(),
            set_id,
            links,
            latest,
        })
    }

    /// The set's row id and its link counter (read on its own, before anything else a write
    /// reads of the set: a link that commits after it changes it, so the write's
    /// compare-and-set on the counter also covers what it read after).
    async fn links_of(&self, set: &Urn) -> Result<(Option<i64>, VersionSetLinks)> {
        let found = self
            .read(|db| {
                version_member::row_and_aspect(db, set.as_str(), VersionSetLinks::NAME).boxed()
            })
            .await?;
        let Some(found) = found else {
            return Ok((None, VersionSetLinks::default()));
        };
        Ok((Some(found.id), decode_links(found.value)))
    }

    /// The next automatic number of a set ([`following`] its highest now).
    async fn next_number(&self, set_id: Option<i64>, links: &VersionSetLinks) -> Result<u64> {
        Ok(following(self.highest_now(set_id).await?, links))
    }

    /// The highest number among the set's versions now, by the index; 0 for none.
    async fn highest_now(&self, set_id: Option<i64>) -> Result<u64> {
        Ok(match set_id {
            Some(id) => self.indexed_highest(id).await?.unwrap_or(0),
            None => 0,
        })
    }

    /// Makes `link.entity` a version of `link.set` (see the module's documentation). Linking
    /// an entity again with the label it has changes nothing and answers its version.
    pub async fn link_version(&self, actor: &Actor, link: LinkVersion) -> Result<VersionRecord> {
        let LinkVersion {
            set,
            entity,
            label,
            comment,
            source_time,
            source_creator,
            with,
            fresh,
            mut numbered,
        } = link;
        check_set(&set)?;
        check_member("linkedEntity", &set, &entity)?;
        if let Some(label) = &label {
            check_label("version", label)?;
        }
        if let Some(c) = &comment {
            super::text::refuse_nul("comment", c)?;
        }
        let started = Instant::now();
        for attempt in 0.. {
            // A number read for this set brings the set's state read with it (first attempt
            // only: a retry reads anew).
            let (set_id, links, latest) = match numbered.take().filter(|n| n.set == set) {
                Some(n) => (n.set_id, n.links, Some(n.latest)),
                None => {
                    let (set_id, links) = self.links_of(&set).await?;
                    (set_id, links, None)
                }
            };
            let current = match fresh {
                true => None,
                false => self.stored_version(&entity).await?,
            };
            if let Some(current) = current {
                let same = current.version_set == set
                    && label.as_deref().is_none_or(|l| l == current.label());
                if same && !fresh {
                    if let Some(v) = self.version_of(&entity).await? {
                        return Ok(v);
                    }
                }
                return Err(Error::Conflict(format!(
                    "{entity} is version {:?} of {} already; unlink it first",
                    current.label(),
                    current.version_set
                )));
            }
            let label_given = label.as_ref();
            let label = match &label {
                Some(l) => l.clone(),
                None => self.next_number(set_id, &links).await?.to_string(),
            };
            let (mut taken, mut previous) = (None, None);
            if let Some(id) = set_id {
                if !fresh {
                    taken = self.indexed_label(id, &label).await?;
                }
                previous = match latest {
                    Some(latest) => latest,
                    None => self.indexed_latest(id, &[]).await?,
                };
            }
            if let Some(taken) = taken {
                if label_given.is_none() {
                    // The number was taken after the counter was read: the counter moved too,
                    // so a fresh read picks the next one.
                    let e = Error::Conflict(format!("version number {label} was taken meanwhile"));
                    back_off(started, attempt, e).await?;
                    continue;
                }
                return Err(Error::Conflict(format!(
                    "the version set {set} has a version labelled {label:?} already ({})",
                    taken.urn
                )));
            }
            let now = now_millis();
            let sort_id = sort_id_of(&label);
            let is_latest = previous.as_ref().is_none_or(|m| sort_id > m.sort_id);
            let props = VersionProperties {
                version_set: set.clone(),
                version: VersionTag {
                    version_tag: Some(label.clone()),
                    extra: Default::default(),
                },
                aliases: Vec::new(),
                comment: comment.clone(),
                sort_id,
                versioning_scheme: Some("LEXICOGRAPHIC_STRING".into()),
                source_created_timestamp: source_time.map(|time| TimeStamp {
                    time,
                    // DataHub's AuditStamp needs an actor: the linking one when none is given.
                    actor: Some(user_urn(source_creator.as_deref().unwrap_or(&actor.name))),
                    extra: Default::default(),
                }),
                metadata_created_timestamp: Some(TimeStamp {
                    time: now,
                    actor: Some(user_urn(&actor.name)),
                    extra: Default::default(),
                }),
                is_latest: Some(is_latest),
                extra: Default::default(),
            };
            let stale = Arc::new(AtomicBool::new(false));
            let mut writes = vec![bump_links(&set, links.links, number(&label), stale.clone())];
            if is_latest {
                let latest = entity.clone();
                writes.push(AspectWrite::patch(
                    set.clone(),
                    VersionSetProperties::NAME,
                    move |p: &mut VersionSetProperties| {
                        p.latest = Some(latest);
                        p.versioning_scheme
                            .get_or_insert_with(|| "LEXICOGRAPHIC_STRING".into());
                        Ok(())
                    },
                ));
            }
            if let Some(extra) = &with {
                writes.extend(extra());
            }
            let (linked, new) = (entity.clone(), props.clone());
            writes.push(patch_version(
                entity.clone(),
                move |current| match current {
                    Some(p) => Err(Error::Conflict(format!(
                        "{linked} is version {:?} of {} already; unlink it first",
                        p.label(),
                        p.version_set
                    ))),
                    None => Ok(Some(new)),
                },
            ));
            if let Some(old) = previous.filter(|_| is_latest) {
                if let Ok(old) = Urn::parse(&old.urn) {
                    writes.push(patch_version(old, |p| {
                        Ok(p.filter(|p| p.is_latest != Some(false)).map(|mut p| {
                            p.is_latest = Some(false);
                            p
                        }))
                    }));
                }
            }
            match self.write(actor, writes).await {
                Ok(written) => {
                    // The batch writes the entity's `versionProperties`, so its row is among
                    // those written.
                    let id = written
                        .iter()
                        .find(|w| w.urn == entity)
                        .map(|w| w.entity)
                        .ok_or_else(|| {
                            Error::Internal(anyhow::anyhow!(
                                "the link of {entity} wrote no row of it"
                            ))
                        })?;
                    return Ok(record(&set, id, entity, props, Vec::new(), is_latest));
                }
                Err(e) if stale.load(Ordering::SeqCst) => {
                    back_off(started, attempt, cause(e)).await?;
                }
                Err(e) => return Err(cause(e)),
            }
        }
        unreachable!("the retry loop returns")
    }

    /// `entity` stops being a version of `set`: its `versionProperties` is removed, the aliases
    /// it held are removed (each a move in the alias history), and the latest version is the
    /// one that sorts last among the others. `NotFound` when it is not a version of `set`.
    pub async fn unlink_version(&self, actor: &Actor, set: &Urn, entity: &Urn) -> Result<()> {
        check_set(set)?;
        check_member("unlinkedEntity", set, entity)?;
        let started = Instant::now();
        for attempt in 0.. {
            let in_set = self
                .stored_version(entity)
                .await?
                .is_some_and(|p| p.version_set == *set);
            if !in_set {
                return Err(Error::NotFound(format!(
                    "{entity} is not a version of {set}"
                )));
            }
            let stale = Arc::new(AtomicBool::new(false));
            let mut writes = self
                .leaving_writes(set, &[entity.as_str()], stale.clone())
                .await?;
            writes.push(AspectWrite::delete(entity.clone(), VersionProperties::NAME));
            match self.write(actor, writes).await {
                Ok(_) => return Ok(()),
                Err(e) if stale.load(Ordering::SeqCst) => {
                    back_off(started, attempt, cause(e)).await?;
                }
                Err(e) => return Err(cause(e)),
            }
        }
        unreachable!("the retry loop returns")
    }

    /// The writes that take `leaving` (versions of `set`) out of it, but for their own
    /// `versionProperties`: the link counter bumped (raising `stale` when another link or
    /// unlink came since it was read), the aliases they held removed, and, when the latest
    /// leaves, the one that sorts last among those that stay made the latest (or the set left
    /// without one).
    async fn leaving_writes(
        &self,
        set: &Urn,
        leaving: &[&str],
        stale: Arc<AtomicBool>,
    ) -> Result<Vec<AspectWrite>> {
        let (set_id, links) = self.links_of(set).await?;
        let mut writes = vec![bump_links(set, links.links, None, stale)];
        let Some(set_id) = set_id else {
            return Ok(writes);
        };
        let urns: Vec<Urn> = leaving.iter().filter_map(|u| Urn::parse(u).ok()).collect();
        let ids: Vec<i64> = self
            .entities_by_urn(&urns.iter().collect::<Vec<_>>())
            .await?
            .iter()
            .map(|e| e.id.0)
            .collect();
        let latest = self.indexed_latest(set_id, &[]).await?;
        let was_latest = latest.is_some_and(|m| leaving.contains(&m.urn.as_str()));
        let next = self.indexed_latest(set_id, &ids).await?;
        match next {
            Some(e) if was_latest => {
                let next = Urn::parse(&e.urn).map_err(|e| Error::Internal(e.into()))?;
                let latest = next.clone();
                writes.push(AspectWrite::patch(
                    set.clone(),
                    VersionSetProperties::NAME,
                    move |p: &mut VersionSetProperties| {
                        p.latest = Some(latest);
                        Ok(())
                    },
                ));
                writes.push(patch_version(next, |p| {
                    Ok(p.map(|mut p| {
                        p.is_latest = Some(true);
                        p
                    }))
                }));
            }
            None => writes.push(AspectWrite::delete(set.clone(), VersionSetProperties::NAME)),
            Some(_) => {}
        }
        let aliases: VersionSetAliases = self
            .latest_aspects(&[(EntityId(set_id), VersionSetAliases::NAME)])
            .await?
            .first()
            .and_then(|f| serde_json::from_str(&f.value).ok())
            .unwrap_or_default();
        let held = |a: &super::aspects::AliasEntry| leaving.contains(&a.version.as_str());
        if aliases.aliases.iter().any(held) {
            let gone: Vec<String> = leaving.iter().map(|u| u.to_string()).collect();
            writes.push(
                AspectWrite::patch(
                    set.clone(),
                    VersionSetAliases::NAME,
                    move |a: &mut VersionSetAliases| {
                        a.aliases
                            .retain(|a| !gone.iter().any(|g| g == a.version.as_str()));
                        Ok(())
                    },
                )
                .existing(),
            );
        }
        Ok(writes)
    }

    /// Erases entities as [`Catalog::hard_delete_many`] does, each that is a version leaving
    /// its set in the same transaction (its aliases removed, the latest moved), so no alias
    /// names a version that is gone. Tried again from a fresh read when a set changed meanwhile.
    pub(super) async fn erase_versions(
        &self,
        actor: &Actor,
        urns: &[Urn],
    ) -> Result<Vec<super::removal::Erased>> {
        let rows = self
            .entities_by_urn(&urns.iter().collect::<Vec<_>>())
            .await?;
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r.id, VersionProperties::NAME))
            .collect();
        let mut sets: Vec<(Urn, Vec<String>)> = Vec::new();
        for found in self.latest_aspects(&keys).await? {
            let Ok(p) = serde_json::from_str::<VersionProperties>(&found.value) else {
                continue;
            };
            let Some(row) = rows.iter().find(|r| r.id == found.entity) else {
                continue;
            };
            match sets.iter_mut().find(|(s, _)| *s == p.version_set) {
                Some((_, members)) => members.push(row.urn.clone()),
                None => sets.push((p.version_set, vec![row.urn.clone()])),
            }
        }
        let started = Instant::now();
        for attempt in 0.. {
            let stale = Arc::new(AtomicBool::new(false));
            let mut writes = Vec::new();
            for (set, members) in &sets {
                let leaving: Vec<&str> = members.iter().map(String::as_str).collect();
                writes.extend(self.leaving_writes(set, &leaving, stale.clone()).await?);
            }
            match self.write_then_erase(actor, writes, urns).await {
                Ok((_, erased)) => return Ok(erased),
                Err(e) if stale.load(Ordering::SeqCst) => {
                    back_off(started, attempt, cause(e)).await?;
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the retry loop returns")
    }
}
