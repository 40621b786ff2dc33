//! A dataset's time series in DataHub's shapes: `datasetProfiles` (`DatasetProfile`, its field
//! profiles and partition) and `operations` (`Operation`), read from the stored events of the
//! `datasetProfile` and `operation` timeseries aspects, newest first; and the read of a series
//! other types' fields share (a run's `state`). The events are read as
//! JSON, field by field, so an event a client wrote with fields DataHub's UI does not show, or
//! without some it does, still answers.

use async_graphql::{Context, Enum, Result, SimpleObject};
use serde_json::Value;

use crate::catalog::timeseries::MAX_SERIES_LIMIT;
use crate::catalog::{EntityRecord, Error, SeriesQuery};
use crate::graphql::loaders::{self, SeriesKey};
use crate::graphql::scalars::Long;

/// The events of one timeseries aspect of an entity, newest first, as GraphQL's arguments ask
/// for them (at most 10,000 when no limit is given); through the series loader, so a list of
/// entities asking for theirs runs one statement.
pub(crate) async fn events(
    ctx: &Context<'_>,
    row: &EntityRecord,
    aspect: &'static str,
    start_time_millis: Option<Long>,
    end_time_millis: Option<Long>,
    limit: Option<i32>,
) -> Result<Vec<Value>> {
    let limit = match limit {
        None => MAX_SERIES_LIMIT,
        Some(n) if n >= 1 && n as usize <= MAX_SERIES_LIMIT => n as usize,
        Some(_) => {
            return Err(
                Error::bad_input(format!("limit must be between 1 and {MAX_SERIES_LIMIT}")).into(),
            )
        }
    };
    let query = SeriesQuery {
        start_millis: start_time_millis.map(|t| t.0),
        end_millis: end_time_millis.map(|t| t.0),
        limit,
        any_of: Vec::new(),
    };
    // Checked here, so a key the loader sees is always a valid request.
    query.check()?;
    let key = SeriesKey {
        entity: row.id,
        aspect,
        start_millis: query.start_millis,
        end_millis: query.end_millis,
        limit,
    };
    let found = loaders::series(ctx, key).await?;
    Ok(found.into_iter().map(|e| e.value).collect())
}

/// `Dataset.datasetProfiles`: the dataset's profiles, newest first.
pub async fn dataset_profiles(
    ctx: &Context<'_>,
    row: &EntityRecord,
    start_time_millis: Option<Long>,
    end_time_millis: Option<Long>,
    limit: Option<i32>,
) -> Result<Option<Vec<DatasetProfile>>> {
    let found = events(
        ctx,
        row,
        "datasetProfile",
        start_time_millis,
        end_time_millis,
        limit,
    )
    .await?;
    Ok(Some(
        found
            .iter()
            .filter_map(DatasetProfile::from_event)
            .collect(),
    ))
}

/// `Dataset.operations`: what was done to the dataset, newest first.
pub async fn operations(
    ctx: &Context<'_>,
    row: &EntityRecord,
    start_time_millis: Option<Long>,
    end_time_millis: Option<Long>,
    limit: Option<i32>,
) -> Result<Option<Vec<Operation>>> {
    let found = events(
        ctx,
        row,
        "operation",
        start_time_millis,
        end_time_millis,
        limit,
    )
    .await?;
    Ok(Some(
        found.iter().filter_map(Operation::from_event).collect(),
    ))
}

fn long(v: &Value, name: &str) -> Option<Long> {
    v.get(name).and_then(Value::as_i64).map(Long)
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_string)
}

fn texts(v: &Value, name: &str) -> Option<Vec<String>> {
    v.get(name).and_then(Value::as_array).map(|items| {
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

/// A profile of a dataset at one time: its size, and statistics of its fields.
#[derive(SimpleObject)]
pub struct DatasetProfile {
    /// The time at which the profile was reported, in milliseconds.
    pub timestamp_millis: Long,
    /// How many rows the dataset held.
    pub row_count: Option<Long>,
    /// How many columns the dataset held.
    pub column_count: Option<Long>,
    /// The storage size in bytes.
    pub size_in_bytes: Option<Long>,
    /// Statistics of each profiled field.
    pub field_profiles: Option<Vec<DatasetFieldProfile>>,
    /// The partition that was profiled.
    pub partition_spec: Option<PartitionSpec>,
}

impl DatasetProfile {
    /// An event without a `timestampMillis` was refused when written; none answers here.
    fn from_event(v: &Value) -> Option<DatasetProfile> {
        Some(DatasetProfile {
            timestamp_millis: long(v, "timestampMillis")?,
            row_count: long(v, "rowCount"),
            column_count: long(v, "columnCount"),
            size_in_bytes: long(v, "sizeInBytes"),
            field_profiles: v
                .get("fieldProfiles")
                .and_then(Value::as_array)
                .map(|fields| {
                    fields
                        .iter()
                        .filter_map(DatasetFieldProfile::from_value)
                        .collect()
                }),
            partition_spec: v.get("partitionSpec").and_then(PartitionSpec::from_value),
        })
    }
}

/// Statistics of one field of a dataset profile.
#[derive(SimpleObject)]
pub struct DatasetFieldProfile {
    /// The field's path in the schema.
    pub field_path: String,
    /// How many distinct values the field holds.
    pub unique_count: Option<Long>,
    /// The share of rows with a distinct value.
    pub unique_proportion: Option<f64>,
    /// How many rows hold null.
    pub null_count: Option<Long>,
    /// The share of rows holding null.
    pub null_proportion: Option<f64>,
    /// The smallest value.
    pub min: Option<String>,
    /// The largest value.
    pub max: Option<String>,
    /// The mean value.
    pub mean: Option<String>,
    /// The median value.
    pub median: Option<String>,
    /// The standard deviation.
    pub stdev: Option<String>,
    /// Some of the values.
    pub sample_values: Option<Vec<String>>,
    /// Quantile cutoffs of a numeric field, ascending.
    pub quantiles: Option<Vec<Quantile>>,
    /// How often each value occurs, for a field with few distinct values.
    pub distinct_value_frequencies: Option<Vec<ValueFrequency>>,
}

impl DatasetFieldProfile {
    fn from_value(v: &Value) -> Option<DatasetFieldProfile> {
        Some(DatasetFieldProfile {
            field_path: text(v, "fieldPath")?,
            unique_count: long(v, "uniqueCount"),
            unique_proportion: v.get("uniqueProportion").and_then(Value::as_f64),
            null_count: long(v, "nullCount"),
            null_proportion: v.get("nullProportion").and_then(Value::as_f64),
            min: text(v, "min"),
            max: text(v, "max"),
            mean: text(v, "mean"),
            median: text(v, "median"),
            stdev: text(v, "stdev"),
            sample_values: texts(v, "sampleValues"),
            quantiles: v.get("quantiles").and_then(Value::as_array).map(|items| {
                items
                    .iter()
                    .filter_map(|q| {
                        Some(Quantile {
                            quantile: text(q, "quantile")?,
                            value: text(q, "value")?,
                        })
                    })
                    .collect()
            }),
            distinct_value_frequencies: v
                .get("distinctValueFrequencies")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|f| {
                            Some(ValueFrequency {
                                value: text(f, "value")?,
                                frequency: long(f, "frequency")?,
                            })
                        })
                        .collect()
                }),
        })
    }
}

/// A quantile of a numeric field.
#[derive(SimpleObject)]
pub struct Quantile {
    /// The quantile, such as "0.25".
    pub quantile: String,
    /// The field's value at the quantile.
    pub value: String,
}

/// How often a value occurs in a field.
#[derive(SimpleObject)]
pub struct ValueFrequency {
    /// The value (numbers as text).
    pub value: String,
    /// How many rows hold it.
    pub frequency: Long,
}

/// Which part of a dataset a profile or an operation is about.
#[derive(SimpleObject)]
pub struct PartitionSpec {
    /// The kind of partition.
    #[graphql(name = "type")]
    pub partition_type: PartitionType,
    /// The partition's identifier.
    pub partition: Option<String>,
    /// The time window of a partition by time.
    pub time_partition: Option<TimeWindow>,
}

impl PartitionSpec {
    fn from_value(v: &Value) -> Option<PartitionSpec> {
        let partition_type = match v.get("type").and_then(Value::as_str) {
            Some("QUERY") => PartitionType::Query,
            Some("PARTITION") => PartitionType::Partition,
            // DataHub's default.
            _ => PartitionType::FullTable,
        };
        Some(PartitionSpec {
            partition_type,
            partition: text(v, "partition"),
            time_partition: v.get("timePartition").and_then(TimeWindow::from_value),
        })
    }
}

/// The kind of partition of a `PartitionSpec`.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PartitionType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PartitionType {
    /// The whole table.
    FullTable,
    /// The rows a query selects.
    Query,
    /// One partition of the table.
    Partition,
}

/// A window of time.
#[derive(SimpleObject)]
pub struct TimeWindow {
    /// When it starts, in milliseconds.
    pub start_time_millis: Long,
    /// How long it lasts, in milliseconds.
    pub duration_millis: Long,
}

impl TimeWindow {
    /// From the aspect's `{"startTimeMillis", "length": {"unit", "multiple"}}`; a window in
    /// calendar units (months, quarters, years) has no fixed length and answers null.
    fn from_value(v: &Value) -> Option<TimeWindow> {
        let length = v.get("length")?;
        let unit: i64 = match length.get("unit").and_then(Value::as_str)? {
            "SECOND" => 1_000,
            "MINUTE" => 60_000,
            "HOUR" => 3_600_000,
            "DAY" => 86_400_000,
            "WEEK" => 604_800_000,
            _ => return None,
        };
        let multiple = length.get("multiple").and_then(Value::as_i64).unwrap_or(1);
        Some(TimeWindow {
            start_time_millis: long(v, "startTimeMillis")?,
            duration_millis: Long(unit.checked_mul(multiple)?),
        })
    }
}

/// Something done to a dataset: rows inserted, the table altered, ...
#[derive(SimpleObject)]
pub struct Operation {
    /// The time at which the operation was reported, in milliseconds.
    pub timestamp_millis: Long,
    /// Who did it (a URN).
    pub actor: Option<String>,
    /// What was done.
    pub operation_type: OperationType,
    /// What was done, when `operationType` is `CUSTOM`.
    pub custom_operation_type: Option<String>,
    /// What reported the operation.
    pub source_type: Option<OperationSourceType>,
    /// How many rows it affected.
    pub num_affected_rows: Option<Long>,
    /// The URNs of other datasets it affected.
    pub affected_datasets: Option<Vec<String>>,
    /// When the dataset was actually changed, in milliseconds.
    pub last_updated_timestamp: Long,
    /// The partition it changed.
    pub partition: Option<String>,
    /// Free-form properties.
    pub custom_properties: Option<Vec<StringMapEntry>>,
}

impl Operation {
    fn from_event(v: &Value) -> Option<Operation> {
        let timestamp = long(v, "timestampMillis")?;
        let operation_type = match v.get("operationType").and_then(Value::as_str) {
            Some("INSERT") => OperationType::Insert,
            Some("UPDATE") => OperationType::Update,
            Some("DELETE") => OperationType::Delete,
            Some("CREATE") => OperationType::Create,
            Some("ALTER") => OperationType::Alter,
            Some("DROP") => OperationType::Drop,
            Some("CUSTOM") => OperationType::Custom,
            _ => OperationType::Unknown,
        };
        let source_type = match v.get("sourceType").and_then(Value::as_str) {
            Some("DATA_PROCESS") => Some(OperationSourceType::DataProcess),
            Some("DATA_PLATFORM") => Some(OperationSourceType::DataPlatform),
            _ => None,
        };
        Some(Operation {
            timestamp_millis: timestamp,
            actor: text(v, "actor"),
            operation_type,
            custom_operation_type: text(v, "customOperationType"),
            source_type,
            num_affected_rows: long(v, "numAffectedRows"),
            affected_datasets: texts(v, "affectedDatasets"),
            // Required in DataHub's model; an event without it answers its own time.
            last_updated_timestamp: long(v, "lastUpdatedTimestamp").unwrap_or(timestamp),
            partition: v.get("partitionSpec").and_then(|p| text(p, "partition")),
            custom_properties: v
                .get("customProperties")
                .and_then(Value::as_object)
                .map(|map| {
                    map.iter()
                        .map(|(k, v)| StringMapEntry {
                            key: k.clone(),
                            value: v.as_str().map(str::to_string),
                        })
                        .collect()
                }),
        })
    }
}

/// What an operation did.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OperationType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum OperationType {
    /// Rows were inserted.
    Insert,
    /// Rows were updated.
    Update,
    /// Rows were deleted.
    Delete,
    /// The table was created.
    Create,
    /// The table was altered.
    Alter,
    /// The table was dropped.
    Drop,
    /// Not known.
    Unknown,
    /// See `customOperationType`.
    Custom,
}

/// What reported an operation.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OperationSourceType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum OperationSourceType {
    /// A data process (a job).
    DataProcess,
    /// The data platform.
    DataPlatform,
}

/// A key and its value.
#[derive(SimpleObject)]
pub struct StringMapEntry {
    /// The key.
    pub key: String,
    /// The value.
    pub value: Option<String>,
}
