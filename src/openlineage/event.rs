//! OpenLineage events, typed from the spec's definitions (`spec/OpenLineage.json`, 2-0-2, and
//! the facets of `spec/facets/`), and the decoder that checks a body against them. The three
//! kinds are told apart as the spec's `oneOf` does: a `run` makes a RunEvent (with its `job`),
//! else a `dataset` a DatasetEvent, else a `job` a JobEvent.
//!
//! What the spec requires is checked, with the JSON path of the first problem
//! (`run.runId: "x" is not a UUID`): the required fields and their JSON types, `eventTime` in
//! RFC 3339 (with its offset), `runId` a UUID, `producer`, `schemaURL` and a facet's
//! `_producer` / `_schemaURL` URIs, `eventType` one of the six. Facets mlcat maps (schema,
//! column lineage, documentation, ownership, dataset version, SQL, source code, error message,
//! processing engine, parent run) are checked against their facet's schema and read into typed
//! values; every facet, known or not, must be an object and is kept whole. A facet
//! `{"_deleted": true}` asks for the stored facet of that name to be removed, and is not
//! checked further.

use std::fmt;

use serde_json::{Map, Value};

/// Why a body is not an OpenLineage event: where (a JSON path into the event, empty for the
/// body itself) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

type Checked<T> = Result<T, Refusal>;

fn refuse<T>(path: &str, message: impl Into<String>) -> Checked<T> {
    Err(Refusal {
        path: path.to_string(),
        message: message.into(),
    })
}

/// One event, of one of the spec's three kinds.
#[derive(Clone, Debug)]
pub enum Event {
    Run(RunEvent),
    Dataset(DatasetEvent),
    Job(JobEvent),
}

/// The fields every event has (`BaseEvent`).
#[derive(Clone, Debug)]
pub struct Header {
    pub event_time: EventTime,
    pub producer: String,
    pub schema_url: String,
}

/// An `eventTime`: as sent, and in milliseconds since the epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTime {
    pub millis: i64,
    pub text: String,
}

/// `eventType`: the run's transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Start,
    Running,
    Complete,
    Abort,
    Fail,
    Other,
}

impl EventType {
    pub const NAMES: [&'static str; 6] = ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"];

    pub fn parse(s: &str) -> Option<EventType> {
        Some(match s {
            "START" => EventType::Start,
            "RUNNING" => EventType::Running,
            "COMPLETE" => EventType::Complete,
            "ABORT" => EventType::Abort,
            "FAIL" => EventType::Fail,
            "OTHER" => EventType::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Start => "START",
            EventType::Running => "RUNNING",
            EventType::Complete => "COMPLETE",
            EventType::Abort => "ABORT",
            EventType::Fail => "FAIL",
            EventType::Other => "OTHER",
        }
    }

    /// COMPLETE, ABORT and FAIL end a run.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            EventType::Complete | EventType::Abort | EventType::Fail
        )
    }
}

/// `RunEvent`: a run of a job changed state, reading `inputs` and writing `outputs`.
#[derive(Clone, Debug)]
pub struct RunEvent {
    pub header: Header,
    /// Absent is allowed by the spec; it changes no state.
    pub event_type: Option<EventType>,
    pub run: Run,
    pub job: Job,
    pub inputs: Vec<Dataset>,
    pub outputs: Vec<Dataset>,
}

/// `DatasetEvent`: metadata about a dataset, outside any run.
#[derive(Clone, Debug)]
pub struct DatasetEvent {
    pub header: Header,
    pub dataset: Dataset,
}

/// `JobEvent`: metadata about a job and what it reads and writes, outside any run.
#[derive(Clone, Debug)]
pub struct JobEvent {
    pub header: Header,
    pub job: Job,
    pub inputs: Vec<Dataset>,
    pub outputs: Vec<Dataset>,
}

/// The facets of a run, job or dataset, by name, as sent; each is a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facets(pub Map<String, Value>);

impl Facets {
    /// Whether the facet of this name asks to be removed (`"_deleted": true`).
    pub fn is_deleted(value: &Value) -> bool {
        value.get("_deleted").and_then(Value::as_bool) == Some(true)
    }
}

/// `Run`: its id (lower case) and facets.
#[derive(Clone, Debug)]
pub struct Run {
    pub run_id: String,
    pub facets: Facets,
    /// `errorMessage.message`.
    pub error_message: Option<String>,
    /// `processing_engine`: name, version, adapter version.
    pub processing_engine: Option<ProcessingEngine>,
    /// `parent`: the run (lower-case id) and job this run was started by.
    pub parent: Option<ParentRun>,
}

/// The `processing_engine` run facet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessingEngine {
    pub name: Option<String>,
    pub version: String,
    pub adapter_version: Option<String>,
}

/// The `parent` run facet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentRun {
    pub run_id: String,
    pub namespace: String,
    pub name: String,
}

/// `Job`: namespace, name and facets.
#[derive(Clone, Debug)]
pub struct Job {
    pub namespace: String,
    pub name: String,
    pub facets: Facets,
    /// `documentation.description`.
    pub description: Option<String>,
    /// `ownership.owners`.
    pub owners: Option<Vec<OwnerFacet>>,
}

/// One owner of an `ownership` facet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerFacet {
    pub name: String,
    pub owner_type: Option<String>,
}

/// A dataset of an event: an input, an output, or a DatasetEvent's.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Where it is in the event (`inputs[2]`), for the messages of later checks.
    pub path: String,
    pub namespace: String,
    pub name: String,
    pub facets: Facets,
    /// `inputFacets` or `outputFacets`: about this run's use of the dataset.
    pub io_facets: Facets,
    /// `schema.fields`, nested fields after their parent.
    pub schema: Option<Vec<SchemaField>>,
    /// `columnLineage`.
    pub column_lineage: Option<ColumnLineage>,
    /// `documentation.description`.
    pub description: Option<String>,
    /// `ownership.owners`.
    pub owners: Option<Vec<OwnerFacet>>,
    /// `version.datasetVersion`.
    pub version: Option<String>,
}

/// One field of a `schema` facet; a nested field's path joins its parents' names with dots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaField {
    pub path: String,
    pub data_type: Option<String>,
    pub description: Option<String>,
}

/// The `columnLineage` facet: for each field of the dataset, the input fields it is made of;
/// and the input fields that affect the whole dataset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnLineage {
    pub fields: Vec<(String, Vec<InputField>)>,
    pub dataset: Vec<InputField>,
}

/// One input field of column lineage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputField {
    pub namespace: String,
    pub name: String,
    pub field: String,
    /// `type:subtype` of each transformation (`DIRECT:IDENTITY`).
    pub transformations: Vec<String>,
}

/// Decodes one event from a request body.
pub fn decode(body: &[u8]) -> Checked<Event> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return refuse("", format!("the body is not JSON ({e})")),
    };
    decode_value(&value)
}

/// Decodes one event from its JSON.
pub fn decode_value(value: &Value) -> Checked<Event> {
    let Some(event) = value.as_object() else {
        return refuse(
            "",
            format!(
                "an event is a JSON object, not {}; send one event per request",
                kind_of(value)
            ),
        );
    };
    let header = header(event)?;
    if event.contains_key("run") {
        let event_type = match event.get("eventType") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(EventType::parse(s).ok_or_else(|| Refusal {
                path: "eventType".into(),
                message: format!("{s:?} is not one of {}", EventType::NAMES.join(", ")),
            })?),
            Some(other) => return refuse("eventType", not_a("string", other)),
        };
        let run = run(required(event, "", "run")?, "run")?;
        let job = job(required(event, "", "job")?, "job")?;
        let (inputs, outputs) = datasets_of(event)?;
        return Ok(Event::Run(RunEvent {
            header,
            event_type,
            run,
            job,
            inputs,
            outputs,
        }));
    }
    if let Some(d) = event.get("dataset") {
        return Ok(Event::Dataset(DatasetEvent {
            header,
            dataset: dataset(d, "dataset", None)?,
        }));
    }
    if let Some(j) = event.get("job") {
        let job = job(j, "job")?;
        let (inputs, outputs) = datasets_of(event)?;
        return Ok(Event::Job(JobEvent {
            header,
            job,
            inputs,
            outputs,
        }));
    }
    refuse(
        "",
        "the event is none of the spec's kinds: a RunEvent has run and job, a DatasetEvent has dataset, a JobEvent has job",
    )
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn not_a(expected: &str, got: &Value) -> String {
    format!("must be {expected}, not {}", kind_of(got))
}

fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Checked<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| Refusal {
        path: path.to_string(),
        message: not_a("an object", v),
    })
}

fn required<'a>(m: &'a Map<String, Value>, path: &str, key: &str) -> Checked<&'a Value> {
    match m.get(key) {
        Some(v) => Ok(v),
        None => refuse(&at(path, key), "is required"),
    }
}

fn string<'a>(v: &'a Value, path: &str) -> Checked<&'a str> {
    v.as_str().ok_or_else(|| Refusal {
        path: path.to_string(),
        message: not_a("a string", v),
    })
}

fn required_str<'a>(m: &'a Map<String, Value>, path: &str, key: &str) -> Checked<&'a str> {
    string(required(m, path, key)?, &at(path, key))
}

fn optional_str(m: &Map<String, Value>, path: &str, key: &str) -> Checked<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Ok(Some(string(v, &at(path, key))?.to_string())),
    }
}

fn array<'a>(v: &'a Value, path: &str) -> Checked<&'a Vec<Value>> {
    v.as_array().ok_or_else(|| Refusal {
        path: path.to_string(),
        message: not_a("an array", v),
    })
}

/// A text that must hold something: a namespace, a name, a field.
fn non_empty(m: &Map<String, Value>, path: &str, key: &str) -> Checked<String> {
    let s = required_str(m, path, key)?;
    if s.trim().is_empty() {
        return refuse(&at(path, key), "must not be empty");
    }
    if s.contains('\0') {
        return refuse(&at(path, key), "must not hold a NUL character");
    }
    Ok(s.to_string())
}

/// `format: uri`: an absolute URI, `scheme ":" ...` (RFC 3986), without spaces or control
/// characters. Written by hand: the check the spec asks for is this much.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn uri(m: &Map<String, Value>, path: &str, key: &str) -> Checked<String> {
    let s = required_str(m, path, key)?;
    if !is_uri(s) {
        return refuse(
            &at(path, key),
            format!("{s:?} is not a URI (scheme:rest, such as https://example.com/producer)"),
        );
    }
    Ok(s.to_string())
}

/// `format: uuid`: 8-4-4-4-12 hexadecimal digits; answered in lower case.
pub fn uuid(s: &str, path: &str) -> Checked<String> {
    let groups: Vec<&str> = s.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        refuse(
            path,
            format!("{s:?} is not a UUID (such as 0176a8c2-fe01-7439-87e6-56a1a1b4029f)"),
        )
    }
}

/// `format: date-time`: RFC 3339, with its offset.
pub fn event_time(s: &str, path: &str) -> Checked<EventTime> {
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => Ok(EventTime {
            millis: t.timestamp_millis(),
            text: s.to_string(),
        }),
        Err(e) => refuse(
            path,
            format!(
                "{s:?} is not an RFC 3339 date-time ({e}); send one with its offset, such as 2026-01-31T12:00:00.000Z (in Python, datetime.now(timezone.utc).isoformat())"
            ),
        ),
    }
}

fn header(event: &Map<String, Value>) -> Checked<Header> {
    let time = required_str(event, "", "eventTime")?;
    Ok(Header {
        event_time: event_time(time, "eventTime")?,
        producer: uri(event, "", "producer")?,
        schema_url: uri(event, "", "schemaURL")?,
    })
}

fn datasets_of(event: &Map<String, Value>) -> Checked<(Vec<Dataset>, Vec<Dataset>)> {
    let mut lists = Vec::new();
    for (key, io) in [("inputs", "inputFacets"), ("outputs", "outputFacets")] {
        let list = match event.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => array(v, key)?
                .iter()
                .enumerate()
                .map(|(i, d)| dataset(d, &format!("{key}[{i}]"), Some(io)))
                .collect::<Checked<Vec<_>>>()?,
        };
        lists.push(list);
    }
    let outputs = lists.pop().unwrap_or_default();
    let inputs = lists.pop().unwrap_or_default();
    Ok((inputs, outputs))
}

/// A facets object: each facet an object, its base fields URIs when present.
fn facets(m: &Map<String, Value>, path: &str, key: &str) -> Checked<Facets> {
    let path = at(path, key);
    let map = match m.get(key) {
        None | Some(Value::Null) => return Ok(Facets::default()),
        Some(v) => object(v, &path)?,
    };
    for (name, facet) in map {
        let fpath = at(&path, name);
        let f = object(facet, &fpath)?;
        for base in ["_producer", "_schemaURL"] {
            if let Some(v) = f.get(base) {
                if !v.is_null() {
                    let s = string(v, &at(&fpath, base))?;
                    if !is_uri(s) {
                        return refuse(&at(&fpath, base), format!("{s:?} is not a URI"));
                    }
                }
            }
        }
        if let Some(d) = f.get("_deleted") {
            if !d.is_boolean() {
                return refuse(&at(&fpath, "_deleted"), not_a("a boolean", d));
            }
        }
    }
    Ok(Facets(map.clone()))
}

/// The facet `name` to read, unless absent or deleted.
fn live<'a>(facets: &'a Facets, name: &str) -> Option<&'a Map<String, Value>> {
    facets
        .0
        .get(name)
        .filter(|f| !Facets::is_deleted(f))
        .and_then(Value::as_object)
}

fn run(v: &Value, path: &str) -> Checked<Run> {
    let m = object(v, path)?;
    let id = required_str(m, path, "runId")?;
    let run_id = uuid(id, &at(path, "runId"))?;
    let facets = facets(m, path, "facets")?;
    let fpath = at(path, "facets");
    let error_message = match live(&facets, "errorMessage") {
        Some(f) => {
            let p = at(&fpath, "errorMessage");
            required_str(f, &p, "programmingLanguage")?;
            optional_str(f, &p, "stackTrace")?;
            Some(required_str(f, &p, "message")?.to_string())
        }
        None => None,
    };
    let processing_engine = match live(&facets, "processing_engine") {
        Some(f) => {
            let p = at(&fpath, "processing_engine");
            Some(ProcessingEngine {
                version: required_str(f, &p, "version")?.to_string(),
                name: optional_str(f, &p, "name")?,
                adapter_version: optional_str(f, &p, "openlineageAdapterVersion")?,
            })
        }
        None => None,
    };
    let parent = match live(&facets, "parent") {
        Some(f) => {
            let p = at(&fpath, "parent");
            let prun = object(required(f, &p, "run")?, &at(&p, "run"))?;
            let pjob = object(required(f, &p, "job")?, &at(&p, "job"))?;
            let rid = required_str(prun, &at(&p, "run"), "runId")?;
            Some(ParentRun {
                run_id: uuid(rid, &at(&at(&p, "run"), "runId"))?,
                namespace: non_empty(pjob, &at(&p, "job"), "namespace")?,
                name: non_empty(pjob, &at(&p, "job"), "name")?,
            })
        }
        None => None,
    };
    if let Some(f) = live(&facets, "nominalTime") {
        let p = at(&fpath, "nominalTime");
        let start = required_str(f, &p, "nominalStartTime")?;
        event_time(start, &at(&p, "nominalStartTime"))?;
        if let Some(end) = optional_str(f, &p, "nominalEndTime")? {
            event_time(&end, &at(&p, "nominalEndTime"))?;
        }
    }
    Ok(Run {
        run_id,
        facets,
        error_message,
        processing_engine,
        parent,
    })
}

fn owners(f: &Map<String, Value>, path: &str) -> Checked<Vec<OwnerFacet>> {
    let list = match f.get("owners") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(v) => array(v, &at(path, "owners"))?,
    };
    list.iter()
        .enumerate()
        .map(|(i, o)| {
            let p = format!("{path}.owners[{i}]");
            let o = object(o, &p)?;
            Ok(OwnerFacet {
                name: non_empty(o, &p, "name")?,
                owner_type: optional_str(o, &p, "type")?,
            })
        })
        .collect()
}

fn documentation(facets: &Facets, fpath: &str) -> Checked<Option<String>> {
    match live(facets, "documentation") {
        Some(f) => {
            let p = at(fpath, "documentation");
            optional_str(f, &p, "contentType")?;
            Ok(Some(required_str(f, &p, "description")?.to_string()))
        }
        None => Ok(None),
    }
}

fn job(v: &Value, path: &str) -> Checked<Job> {
    let m = object(v, path)?;
    let namespace = non_empty(m, path, "namespace")?;
    let name = non_empty(m, path, "name")?;
    let facets = facets(m, path, "facets")?;
    let fpath = at(path, "facets");
    let description = documentation(&facets, &fpath)?;
    let owners = match live(&facets, "ownership") {
        Some(f) => Some(owners(f, &at(&fpath, "ownership"))?),
        None => None,
    };
    if let Some(f) = live(&facets, "sql") {
        let p = at(&fpath, "sql");
        required_str(f, &p, "query")?;
        optional_str(f, &p, "dialect")?;
    }
    if let Some(f) = live(&facets, "sourceCode") {
        let p = at(&fpath, "sourceCode");
        required_str(f, &p, "language")?;
        required_str(f, &p, "sourceCode")?;
    }
    if let Some(f) = live(&facets, "jobType") {
        let p = at(&fpath, "jobType");
        for key in ["processingType", "integration", "jobType"] {
            optional_str(f, &p, key)?;
        }
    }
    Ok(Job {
        namespace,
        name,
        facets,
        description,
        owners,
    })
}

fn schema_fields(
    list: &[Value],
    path: &str,
    prefix: &str,
    out: &mut Vec<SchemaField>,
) -> Checked<()> {
    for (i, f) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let m = object(f, &p)?;
        let name = non_empty(m, &p, "name")?;
        let full = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}.{name}")
        };
        if let Some(n) = m.get("ordinal_position") {
            if !n.is_null() && !n.is_i64() && !n.is_u64() {
                return refuse(&at(&p, "ordinal_position"), not_a("an integer", n));
            }
        }
        out.push(SchemaField {
            path: full.clone(),
            data_type: optional_str(m, &p, "type")?,
            description: optional_str(m, &p, "description")?,
        });
        if let Some(nested) = m.get("fields") {
            if !nested.is_null() {
                let nested = array(nested, &at(&p, "fields"))?;
                schema_fields(nested, &at(&p, "fields"), &full, out)?;
            }
        }
    }
    Ok(())
}

fn input_fields(list: &Value, path: &str) -> Checked<Vec<InputField>> {
    array(list, path)?
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = format!("{path}[{i}]");
            let m = object(f, &p)?;
            let mut transformations = Vec::new();
            if let Some(ts) = m.get("transformations") {
                if !ts.is_null() {
                    for (j, t) in array(ts, &at(&p, "transformations"))?.iter().enumerate() {
                        let tp = format!("{p}.transformations[{j}]");
                        let t = object(t, &tp)?;
                        let kind = required_str(t, &tp, "type")?;
                        let sub = optional_str(t, &tp, "subtype")?;
                        if let Some(m) = t.get("masking") {
                            if !m.is_null() && !m.is_boolean() {
                                return refuse(&at(&tp, "masking"), not_a("a boolean", m));
                            }
                        }
                        transformations.push(match sub {
                            Some(s) => format!("{kind}:{s}"),
                            None => kind.to_string(),
                        });
                    }
                }
            }
            Ok(InputField {
                namespace: non_empty(m, &p, "namespace")?,
                name: non_empty(m, &p, "name")?,
                field: non_empty(m, &p, "field")?,
                transformations,
            })
        })
        .collect()
}

fn column_lineage(f: &Map<String, Value>, p: &str) -> Checked<ColumnLineage> {
    let fields = object(required(f, p, "fields")?, &at(p, "fields"))?;
    let mut out = ColumnLineage::default();
    for (name, entry) in fields {
        let ep = at(&at(p, "fields"), name);
        let e = object(entry, &ep)?;
        let inputs = input_fields(required(e, &ep, "inputFields")?, &at(&ep, "inputFields"))?;
        optional_str(e, &ep, "transformationDescription")?;
        optional_str(e, &ep, "transformationType")?;
        if name.trim().is_empty() {
            return refuse(&ep, "a field name must not be empty");
        }
        out.fields.push((name.clone(), inputs));
    }
    if let Some(d) = f.get("dataset") {
        if !d.is_null() {
            out.dataset = input_fields(d, &at(p, "dataset"))?;
        }
    }
    Ok(out)
}

fn dataset(v: &Value, path: &str, io_key: Option<&str>) -> Checked<Dataset> {
    let m = object(v, path)?;
    let namespace = non_empty(m, path, "namespace")?;
    let name = non_empty(m, path, "name")?;
    let facets = facets(m, path, "facets")?;
    let io_facets = match io_key {
        Some(key) => self::facets(m, path, key)?,
        None => Facets::default(),
    };
    let fpath = at(path, "facets");
    let schema = match live(&facets, "schema") {
        Some(f) => {
            let p = at(&fpath, "schema");
            let mut out = Vec::new();
            if let Some(list) = f.get("fields") {
                if !list.is_null() {
                    schema_fields(
                        array(list, &at(&p, "fields"))?,
                        &at(&p, "fields"),
                        "",
                        &mut out,
                    )?;
                }
            }
            Some(out)
        }
        None => None,
    };
    let column_lineage = match live(&facets, "columnLineage") {
        Some(f) => Some(column_lineage(f, &at(&fpath, "columnLineage"))?),
        None => None,
    };
    let description = documentation(&facets, &fpath)?;
    let owners = match live(&facets, "ownership") {
        Some(f) => Some(owners(f, &at(&fpath, "ownership"))?),
        None => None,
    };
    let version = match live(&facets, "version") {
        Some(f) => Some(required_str(f, &at(&fpath, "version"), "datasetVersion")?.to_string()),
        None => None,
    };
    Ok(Dataset {
        path: path.to_string(),
        namespace,
        name,
        facets,
        io_facets,
        schema,
        column_lineage,
        description,
        owners,
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "eventType": "START",
            "eventTime": "2026-01-31T12:00:00.000Z",
            "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": "0176A8C2-FE01-7439-87E6-56A1A1B4029F"},
            "job": {"namespace": "etl", "name": "load"},
        })
    }

    fn refused(v: Value) -> String {
        decode_value(&v).unwrap_err().to_string()
    }

    #[test]
    fn a_run_event_decodes_with_its_run_id_in_lower_case() {
        let Event::Run(e) = decode_value(&base()).unwrap() else {
            panic!("not a run event")
        };
        assert_eq!(e.run.run_id, "0176a8c2-fe01-7439-87e6-56a1a1b4029f");
        assert_eq!(e.event_type, Some(EventType::Start));
        assert_eq!(e.header.event_time.millis, 1_769_860_800_000);
    }

    #[test]
    fn problems_are_named_by_their_json_path() {
        let mut v = base();
        v["run"]["runId"] = json!("x");
        assert!(refused(v).starts_with("run.runId: \"x\" is not a UUID"));
        let mut v = base();
        v["eventType"] = json!("DONE");
        assert!(refused(v).starts_with("eventType: \"DONE\" is not one of START"));
        let mut v = base();
        v["eventTime"] = json!("2026-01-31T12:00:00");
        assert!(refused(v).starts_with("eventTime: "));
        let mut v = base();
        v["producer"] = json!("not a uri");
        assert!(refused(v).starts_with("producer: "));
        let mut v = base();
        v["inputs"] = json!([{"name": "t"}]);
        assert_eq!(refused(v), "inputs[0].namespace: is required");
        let mut v = base();
        v["outputs"] = json!([{"namespace": "s3://b", "name": "t", "facets": {"schema": {"fields": [{"type": "int"}]}}}]);
        assert_eq!(
            refused(v),
            "outputs[0].facets.schema.fields[0].name: is required"
        );
        let mut v = base();
        v["run"]["facets"] =
            json!({"parent": {"run": {"runId": "nope"}, "job": {"namespace": "a", "name": "b"}}});
        assert!(refused(v).starts_with("run.facets.parent.run.runId: "));
        let mut v = base();
        v["job"]["facets"] = json!({"sql": 3});
        assert_eq!(
            refused(v),
            "job.facets.sql: must be an object, not a number"
        );
        assert!(refused(json!([1])).contains("one event per request"));
        let mut v = base();
        v.as_object_mut().unwrap().remove("run");
        v.as_object_mut().unwrap().remove("job");
        assert!(refused(v).contains("none of the spec's kinds"));
    }

    #[test]
    fn the_three_kinds_are_told_apart() {
        let mut v = base();
        v.as_object_mut().unwrap().remove("run");
        assert!(matches!(decode_value(&v), Ok(Event::Job(_))));
        v.as_object_mut().unwrap().remove("job");
        v["dataset"] = json!({"namespace": "hive", "name": "db.t"});
        assert!(matches!(decode_value(&v), Ok(Event::Dataset(_))));
    }

    #[test]
    fn facets_are_read_and_a_deleted_facet_is_not_checked() {
        let mut v = base();
        v["outputs"] = json!([{
            "namespace": "postgres://db:5432", "name": "shop.public.orders",
            "facets": {
                "schema": {"fields": [{"name": "id", "type": "int"}, {"name": "addr", "type": "struct", "fields": [{"name": "zip"}]}]},
                "columnLineage": {"fields": {"id": {"inputFields": [{"namespace": "s3://raw", "name": "orders.csv", "field": "order_id", "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]}}},
                "documentation": {"_deleted": true},
                "custom_thing": {"anything": [1, 2]},
            },
            "outputFacets": {"outputStatistics": {"rowCount": 3}},
        }]);
        let Event::Run(e) = decode_value(&v).unwrap() else {
            panic!()
        };
        let out = &e.outputs[0];
        let paths: Vec<&str> = out
            .schema
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(paths, ["id", "addr", "addr.zip"]);
        let cl = out.column_lineage.as_ref().unwrap();
        assert_eq!(cl.fields[0].1[0].transformations, ["DIRECT:IDENTITY"]);
        assert_eq!(out.description, None);
        assert!(out.facets.0.contains_key("custom_thing"));
        assert!(out.io_facets.0.contains_key("outputStatistics"));
    }

    #[test]
    fn uris_and_uuids() {
        assert!(is_uri("https://x"));
        assert!(is_uri("urn:li:x"));
        assert!(!is_uri("no scheme"));
        assert!(!is_uri("1http://x"));
        assert!(!is_uri("http:"));
        assert!(uuid("0176a8c2-fe01-7439-87e6-56a1a1b4029f", "").is_ok());
        assert!(uuid("0176a8c2fe01743987e656a1a1b4029f", "").is_err());
    }
}
