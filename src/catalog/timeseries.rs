//! Timeseries aspects: the aspects DataHub's model marks `timeseries` (profiles, operations,
//! run events, ingestion checkpoints and run summaries, usage statistics) are a series of events,
//! not versions of one value. The write path stores each event under its entity, aspect,
//! `timestampMillis` and event key (an equal key replaces), in the batch's transaction; the
//! reads here answer a range of them, newest first, filtered on the events' fields.

use futures_util::FutureExt;
use std::collections::HashMap;

use serde_json::Value;

use super::{Catalog, EntityId, Error, Result};
use crate::store::{entity, timeseries, CHUNK};
use crate::urn::Urn;

/// The aspects kept as time series, as DataHub's registry types them (`"type": "timeseries"`
/// in the SDK's `schema_classes.py`); sorted. A test checks this against the REST front
/// door's registry, which is generated from the SDK.
pub const TIMESERIES_ASPECTS: [&str; 11] = [
    "assertionRunEvent",
    "chartUsageStatistics",
    "dashboardUsageStatistics",
    "dataProcessInstanceRunEvent",
    "datahubIngestionCheckpoint",
    "datahubIngestionRunSummary",
    "datasetProfile",
    "datasetUsageStatistics",
    "documentUsageStatistics",
    "operation",
    "queryUsageStatistics",
];

/// Most events one read answers.
pub const MAX_SERIES_LIMIT: usize = 10_000;

/// Rows read per statement while a filter picks events.
const PAGE: u64 = 500;

/// Whether `aspect` is kept as a time series.
pub fn is_timeseries(aspect: &str) -> bool {
    TIMESERIES_ASPECTS.binary_search(&aspect).is_ok()
}

/// One stored event of a timeseries aspect.
#[derive(Clone, Debug)]
pub struct TimeseriesEvent {
    pub timestamp_millis: i64,
    pub value: Value,
    /// When it was stored, in milliseconds since the epoch.
    pub stored_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

/// How a criterion compares an event's field with its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesCondition {
    /// Equal to one of the values (DataHub's `EQUAL` and `IN`).
    Equal,
    Contain,
    StartWith,
    EndWith,
    /// The field is present and not null.
    Exists,
    /// The field is absent or null.
    IsNull,
    GreaterThan,
    GreaterThanOrEqualTo,
    LessThan,
    LessThanOrEqualTo,
}

/// A test of one field of an event: `field` is a dotted path into the event
/// (`partitionSpec.partition`); `runId` falls back to the run that wrote the event.
#[derive(Clone, Debug)]
pub struct SeriesCriterion {
    pub field: String,
    pub values: Vec<String>,
    pub condition: SeriesCondition,
    pub negated: bool,
}

/// Which events of a series to answer.
#[derive(Clone, Debug, Default)]
pub struct SeriesQuery {
    /// Inclusive bounds on `timestampMillis`; open when absent.
    pub start_millis: Option<i64>,
    pub end_millis: Option<i64>,
    /// Most events to answer, 1 to [`MAX_SERIES_LIMIT`].
    pub limit: usize,
    /// Events matching all criteria of any one group; every event when empty.
    pub any_of: Vec<Vec<SeriesCriterion>>,
}

impl SeriesQuery {
    /// Refuses a range whose start is after its end, and a limit out of 1 to
    /// [`MAX_SERIES_LIMIT`].
    pub fn check(&self) -> Result<()> {
        if let (Some(start), Some(end)) = (self.start_millis, self.end_millis) {
            if start > end {
                return Err(Error::bad_input(format!(
                    "startTimeMillis {start} is after endTimeMillis {end}; give a range with start <= end"
                )));
            }
        }
        if self.limit == 0 || self.limit > MAX_SERIES_LIMIT {
            return Err(Error::bad_input(format!(
                "limit must be between 1 and {MAX_SERIES_LIMIT}"
            )));
        }
        Ok(())
    }

    fn matches(&self, event: &TimeseriesEvent) -> bool {
        self.any_of.is_empty()
            || self
                .any_of
                .iter()
                .any(|group| group.iter().all(|c| c.matches(event)))
    }
}

impl SeriesCriterion {
    fn matches(&self, event: &TimeseriesEvent) -> bool {
        let found = field(&event.value, &self.field).or_else(|| match self.field.as_str() {
            "runId" => event.run_id.clone().map(Value::String),
            _ => None,
        });
        let result = match (self.condition, found) {
            (SeriesCondition::Exists, found) => found.is_some(),
            (SeriesCondition::IsNull, found) => found.is_none(),
            (_, None) => false,
            (condition, Some(found)) => {
                let texts = texts_of(&found);
                self.values
                    .iter()
                    .any(|want| texts.iter().any(|have| compare(condition, have, want)))
            }
        };
        result != self.negated
    }
}

/// The value at a dotted path; `None` for absent or null.
fn field(value: &Value, path: &str) -> Option<Value> {
    let mut at = value;
    for part in path.split('.') {
        at = at.get(part)?;
    }
    (!at.is_null()).then(|| at.clone())
}

/// A field's value as the texts a criterion compares with: a list answers each of its items,
/// as DataHub's index matches any element of an array.
fn texts_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(texts_of).collect(),
        other => vec![other.to_string()],
    }
}

fn compare(condition: SeriesCondition, have: &str, want: &str) -> bool {
    use std::cmp::Ordering;
    let order = || match (have.parse::<f64>(), want.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b),
        _ => Some(have.cmp(want)),
    };
    match condition {
        SeriesCondition::Equal => have == want,
        SeriesCondition::Contain => have.contains(want),
        SeriesCondition::StartWith => have.starts_with(want),
        SeriesCondition::EndWith => have.ends_with(want),
        SeriesCondition::GreaterThan => order() == Some(Ordering::Greater),
        SeriesCondition::GreaterThanOrEqualTo => {
            matches!(order(), Some(Ordering::Greater | Ordering::Equal))
        }
        SeriesCondition::LessThan => order() == Some(Ordering::Less),
        SeriesCondition::LessThanOrEqualTo => {
            matches!(order(), Some(Ordering::Less | Ordering::Equal))
        }
        SeriesCondition::Exists | SeriesCondition::IsNull => true,
    }
}

/// An event's place in its series: its `timestampMillis` (required, a whole number) and its
/// event key (its `messageId`, else its `partitionSpec.partition`, else ''). Two events with
/// the same place are the same event: the later write replaces the earlier.
pub(super) fn event_place(aspect: &str, value: &Value) -> Result<(i64, String)> {
    let Some(object) = value.as_object() else {
        return Err(Error::Invalid {
            field: aspect.to_string(),
            message: format!("aspect {aspect} must be a JSON object"),
        });
    };
    let timestamp = object
        .get("timestampMillis")
        .and_then(Value::as_i64)
        .ok_or_else(|| Error::Invalid {
            field: format!("{aspect}.timestampMillis"),
            message: format!(
                "{aspect}.timestampMillis must be a whole number of milliseconds since the epoch: {aspect} is a timeseries aspect, stored by the time of its event"
            ),
        })?;
    if aspect == "dataProcessInstanceRunEvent" {
        check_run_event(value)?;
    }
    let key = match (
        object.get("messageId"),
        field(value, "partitionSpec.partition"),
    ) {
        (Some(Value::String(id)), _) => format!("messageId:{id}"),
        (_, Some(Value::String(partition))) => format!("partition:{partition}"),
        _ => String::new(),
    };
    Ok((timestamp, key))
}

/// DataHub's run statuses and results, which a run event must name.
pub const RUN_STATUSES: [&str; 2] = ["STARTED", "COMPLETE"];
pub const RUN_RESULTS: [&str; 4] = ["SUCCESS", "FAILURE", "SKIPPED", "UP_FOR_RETRY"];

/// A run event names a status DataHub knows, and a result type DataHub knows when it has one.
fn check_run_event(value: &Value) -> Result<()> {
    let aspect = "dataProcessInstanceRunEvent";
    let refuse = |field: &str, got: Option<&Value>, known: &[&str]| Error::Invalid {
        field: format!("{aspect}.{field}"),
        message: format!(
            "{aspect}.{field} must be one of {}, not {}",
            known.join(", "),
            got.map_or("nothing".to_string(), Value::to_string)
        ),
    };
    let status = value.get("status");
    if !status
        .and_then(Value::as_str)
        .is_some_and(|s| RUN_STATUSES.contains(&s))
    {
        return Err(refuse("status", status, &RUN_STATUSES));
    }
    if let Some(result) = value.get("result").filter(|r| !r.is_null()) {
        let kind = result.get("type");
        if !kind
            .and_then(Value::as_str)
            .is_some_and(|s| RUN_RESULTS.contains(&s))
        {
            return Err(refuse("result.type", kind, &RUN_RESULTS));
        }
    }
    Ok(())
}

/// The events of a batch, each place once (the batch's last write of it wins), in the order
/// of writing: what the write path hands to the store.
pub(super) fn dedup_last(events: Vec<timeseries::NewEvent>) -> Vec<timeseries::NewEvent> {
    let mut last: HashMap<(i64, String, i64, String), usize> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        last.insert(
            (
                e.entity_id,
                e.name.clone(),
                e.timestamp_millis,
                e.event_key.clone(),
            ),
            i,
        );
    }
    events
        .into_iter()
        .enumerate()
        .filter(|(i, e)| {
            last.get(&(
                e.entity_id,
                e.name.clone(),
                e.timestamp_millis,
                e.event_key.clone(),
            )) == Some(i)
        })
        .map(|(_, e)| e)
        .collect()
}

impl TryFrom<timeseries::Model> for TimeseriesEvent {
    type Error = Error;

    fn try_from(r: timeseries::Model) -> Result<TimeseriesEvent> {
        Ok(TimeseriesEvent {
            timestamp_millis: r.timestamp_millis,
            value: serde_json::from_str(&r.value).map_err(|e| anyhow::anyhow!(e))?,
            stored_at: r.created_at,
            actor: r.actor,
            run_id: r.run_id,
        })
    }
}

impl Catalog {
    /// The newest events of `aspect` of each of `entities` in the range of `query` (its
    /// criteria are not applied), at most `query.limit` each, by entity, newest first; one
    /// statement per [`CHUNK`] entities. What GraphQL's series fields load over a list.
    pub async fn series_of(
        &self,
        entities: &[EntityId],
        aspect: &str,
        query: &SeriesQuery,
    ) -> Result<Vec<(EntityId, TimeseriesEvent)>> {
        query.check()?;
        let mut ids: Vec<i64> = entities.iter().map(|e| e.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let rows = self
                .read(|db| {
                    timeseries::newest_per_entity(
                        db,
                        chunk,
                        aspect,
                        query.start_millis,
                        query.end_millis,
                        query.limit as u64,
                    )
                    .boxed()
                })
                .await?;
            for r in rows {
                out.push((EntityId(r.entity_id), r.try_into()?));
            }
        }
        Ok(out)
    }

    /// The events of `aspect` of `urn` that `query` asks for, newest first; none for an
    /// entity the catalog does not hold. A start after the end is `BadInput`.
    pub async fn timeseries(
        &self,
        urn: &Urn,
        aspect: &str,
        query: &SeriesQuery,
    ) -> Result<Vec<TimeseriesEvent>> {
        query.check()?;
        let Some(row) = self
            .read(|db| entity::by_urn(db, urn.as_str()).boxed())
            .await?
        else {
            return Ok(Vec::new());
        };
        // Without criteria the statement's limit is the answer's; with them, pages are read
        // until enough events match, since the criteria test fields inside the JSON.
        let page = if query.any_of.is_empty() {
            query.limit as u64
        } else {
            PAGE
        };
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let rows = self
                .read(|db| {
                    timeseries::page_newest_first(
                        db,
                        row.id,
                        aspect,
                        query.start_millis,
                        query.end_millis,
                        offset,
                        page,
                    )
                    .boxed()
                })
                .await?;
            let read = rows.len() as u64;
            for r in rows {
                let event = TimeseriesEvent::try_from(r)?;
                if query.matches(&event) {
                    out.push(event);
                    if out.len() == query.limit {
                        return Ok(out);
                    }
                }
            }
            if read < page {
                return Ok(out);
            }
            offset += read;
        }
    }
}
