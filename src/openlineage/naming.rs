//! OpenLineage names to DataHub URNs, as DataHub's OpenLineage converter forms them (facts from
//! `metadata-integration/java/openlineage-converter`):
//!
//! - a dataset `(namespace, name)`: the platform is the namespace's URI scheme (`postgres://h:5432`
//!   → `postgres`, with `awsathena` → `athena` and `sqlserver` → `mssql`), or the namespace itself
//!   when it has no scheme (`bigquery`, `hive`, `file`). For a file system (`s3`, `s3a`, `s3n`
//!   → `s3`; `gs`, `gcs` → `gcs`; `abfs(s)`, `wasb(s)` → `abs`; `dbfs`; `file`) the name is
//!   the path under the scheme, bucket first (`s3://bucket` + `a/b` → `bucket/a/b`; `file`
//!   keeps the leading slash), without a trailing slash; otherwise the name is the dataset's.
//!   The environment is the server's (`--openlineage-env`, PROD by default).
//! - a job: a `dataJob` named by the job's name, of the `dataFlow` `(orchestrator, flow, namespace)`:
//!   the flow is the job name's part before its first dot (an Airflow task `dag.task` belongs to
//!   its DAG's flow), and the job namespace is the flow's cluster, where DataHub's other flows have
//!   their environment. The orchestrator is the `processing_engine` facet's
//!   name in lower case, else the producer's: OpenLineage's own clients end their producer URI
//!   with it (`.../tree/1.54.0/client/python` → `python`), Airflow's and Trino's are named, and
//!   any other producer gives its URI's last path segment.
//! - a run: `urn:li:dataProcessInstance:<runId>`.
//! - a column: `urn:li:schemaField:(<dataset urn>,<field path>)`.
//!
//! A part of a URN tuple may not hold an unbalanced parenthesis (nor, in a job or flow, a
//! comma): those characters are percent-encoded (`%28`, `%29`, `%2C`), as DataHub's URN
//! encoder does.

use crate::catalog::Error;
use crate::urn::Urn;

/// DataHub's renamings of schemes to platforms.
fn platform_of_scheme(scheme: &str) -> String {
    match scheme {
        "awsathena" => "athena".into(),
        "sqlserver" => "mssql".into(),
        other => other.to_string(),
    }
}

/// The file-system platform a scheme names, if it names one.
fn file_system(scheme: &str) -> Option<&'static str> {
    Some(match scheme {
        "s3" | "s3a" | "s3n" => "s3",
        "gs" | "gcs" => "gcs",
        "abfs" | "abfss" | "wasb" | "wasbs" => "abs",
        "dbfs" => "dbfs",
        "file" => "file",
        _ => return None,
    })
}

/// Percent-encodes the characters a URN tuple part may not hold: parentheses; and in a part
/// that is read back ([`decode`]: a job's, a flow's, a column's), commas and `%` too.
fn encode(part: &str, read_back: bool) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            ',' if read_back => out.push_str("%2C"),
            '%' if read_back => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

/// Undoes [`encode`] of a part that is read back.
pub fn decode(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    let mut rest = part;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i..i + 3).unwrap_or_default();
        let c = match code {
            "%28" => Some('('),
            "%29" => Some(')'),
            "%2C" => Some(','),
            "%25" => Some('%'),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn urn(text: String, what: &str) -> Result<Urn, Error> {
    Urn::parse_owned(text).map_err(|e| Error::BadInput(format!("{what}: {e}")))
}

/// The platform and name of a dataset `(namespace, name)`.
pub fn dataset_key(namespace: &str, name: &str) -> (String, String) {
    let Some((scheme, rest)) = namespace.split_once("://") else {
        return (platform_of_scheme(namespace), name.to_string());
    };
    let scheme = scheme.to_ascii_lowercase();
    match file_system(&scheme) {
        Some(platform) => {
            let joined = if rest.ends_with('/') || name.starts_with('/') || rest.is_empty() {
                format!("{rest}{name}")
            } else {
                format!("{rest}/{name}")
            };
            let trimmed = joined.trim_end_matches('/');
            let path = if platform == "file" {
                trimmed.to_string()
            } else {
                trimmed.trim_start_matches('/').to_string()
            };
            (platform.to_string(), path)
        }
        None => (platform_of_scheme(&scheme), name.to_string()),
    }
}

/// The dataset URN of `(namespace, name)` in `env`.
pub fn dataset_urn(namespace: &str, name: &str, env: &str) -> Result<Urn, Error> {
    let (platform, path) = dataset_key(namespace, name);
    if platform.is_empty() || platform.contains(['(', ')', ',', ' ', '/']) {
        return Err(Error::BadInput(format!(
            "namespace {namespace:?} names no data platform (a URI scheme such as postgres:// or a bare name such as bigquery)"
        )));
    }
    urn(
        format!(
            "urn:li:dataset:(urn:li:dataPlatform:{platform},{},{env})",
            encode(&path, false)
        ),
        "the dataset's URN",
    )
}

/// The column `field` of a dataset.
pub fn field_urn(dataset: &Urn, field: &str) -> Result<Urn, Error> {
    urn(
        format!("urn:li:schemaField:({dataset},{})", encode(field, true)),
        "the column's URN",
    )
}

/// Who ran a job, as the converter names the orchestrator.
pub fn orchestrator(processing_engine: Option<&str>, producer: &str) -> String {
    if let Some(engine) = processing_engine.filter(|e| !e.trim().is_empty()) {
        return engine.to_lowercase();
    }
    if let Some(rest) = producer.strip_prefix("https://github.com/OpenLineage/OpenLineage/") {
        if let Some(last) = rest.rsplit('/').next().filter(|s| !s.is_empty()) {
            return last.to_string();
        }
    }
    if producer.starts_with("https://github.com/apache/airflow/") {
        return "airflow".into();
    }
    if producer.starts_with("https://github.com/trinodb/trino/") {
        return "trino".into();
    }
    let Some((_, rest)) = producer.split_once("://") else {
        return "openlineage".into();
    };
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .find(|s| !s.is_empty())
        .map_or_else(|| "openlineage".to_string(), str::to_lowercase)
}

/// The flow id of a job: its name's part before the first dot, as the converter splits it
/// (a name that starts with a dot, which the converter would give an empty id, keeps its whole
/// name).
pub fn flow_name(job_name: &str) -> &str {
    match job_name.split_once('.') {
        Some((first, _)) if !first.is_empty() => first,
        _ => job_name,
    }
}

/// The flow of a job `job_name` in the job namespace `namespace`: `(orchestrator, flow id,
/// namespace)`, the namespace in the place of the cluster, as DataHub's converter makes it.
pub fn flow_urn(orchestrator: &str, namespace: &str, job_name: &str) -> Result<Urn, Error> {
    urn(
        format!(
            "urn:li:dataFlow:({},{},{})",
            encode(orchestrator, true),
            encode(flow_name(job_name), true),
            encode(namespace, true)
        ),
        "the job's flow URN",
    )
}

/// The job `name` of a flow.
pub fn job_urn(flow: &Urn, name: &str) -> Result<Urn, Error> {
    urn(
        format!("urn:li:dataJob:({flow},{})", encode(name, true)),
        "the job's URN",
    )
}

/// The run of a run id.
pub fn run_urn(run_id: &str) -> Result<Urn, Error> {
    urn(
        format!("urn:li:dataProcessInstance:{run_id}"),
        "the run's URN",
    )
}

/// The top-level parts of a tuple key `(a,b,(c,d))`.
fn tuple(key: &str) -> Option<Vec<&str>> {
    let inner = key.strip_prefix('(')?.strip_suffix(')')?;
    let (mut depth, mut start, mut parts) = (0i32, 0usize, Vec::new());
    for (i, b) in inner.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    Some(parts)
}

/// A flow's `(orchestrator, flow id, cluster)`, decoded.
pub fn flow_parts(flow: &str) -> Option<(String, String, String)> {
    let parts = tuple(flow.strip_prefix("urn:li:dataFlow:")?)?;
    match parts.as_slice() {
        [o, f, c] => Some((decode(o), decode(f), decode(c))),
        _ => None,
    }
}

/// A job's flow URN and its name, decoded.
pub fn job_parts(job: &str) -> Option<(String, String)> {
    let parts = tuple(job.strip_prefix("urn:li:dataJob:")?)?;
    match parts.as_slice() {
        [flow, name] => Some((flow.to_string(), decode(name))),
        _ => None,
    }
}

/// A column's dataset URN and field path, decoded.
pub fn field_parts(field: &str) -> Option<(String, String)> {
    let parts = tuple(field.strip_prefix("urn:li:schemaField:")?)?;
    match parts.as_slice() {
        [dataset, path] => Some((dataset.to_string(), decode(path))),
        _ => None,
    }
}

/// The owner URN of an ownership facet's owner name: `user:x` a user, `team:x` or `group:x` a
/// group, any other name a user of that name.
pub fn owner_urn(name: &str) -> Result<Urn, Error> {
    let text = if let Some(u) = name.strip_prefix("user:") {
        format!("urn:li:corpuser:{}", encode(u, true))
    } else if let Some(g) = name
        .strip_prefix("team:")
        .or_else(|| name.strip_prefix("group:"))
    {
        format!("urn:li:corpGroup:{}", encode(g, true))
    } else if name.starts_with("urn:li:corpuser:") || name.starts_with("urn:li:corpGroup:") {
        name.to_string()
    } else {
        format!("urn:li:corpuser:{}", encode(name, true))
    };
    urn(text, "the owner's URN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasets_map_as_datahub_s_converter_maps_them() {
        let cases = [
            (
                "postgres://db:5432",
                "shop.public.orders",
                "urn:li:dataset:(urn:li:dataPlatform:postgres,shop.public.orders,PROD)",
            ),
            (
                "s3://bucket",
                "raw/orders.csv",
                "urn:li:dataset:(urn:li:dataPlatform:s3,bucket/raw/orders.csv,PROD)",
            ),
            (
                "s3a://bucket/",
                "raw/x/",
                "urn:li:dataset:(urn:li:dataPlatform:s3,bucket/raw/x,PROD)",
            ),
            (
                "gs://b",
                "t",
                "urn:li:dataset:(urn:li:dataPlatform:gcs,b/t,PROD)",
            ),
            (
                "file://",
                "/tmp/x.csv",
                "urn:li:dataset:(urn:li:dataPlatform:file,/tmp/x.csv,PROD)",
            ),
            (
                "file",
                "/tmp/x.csv",
                "urn:li:dataset:(urn:li:dataPlatform:file,/tmp/x.csv,PROD)",
            ),
            (
                "bigquery",
                "p.d.t",
                "urn:li:dataset:(urn:li:dataPlatform:bigquery,p.d.t,PROD)",
            ),
            (
                "snowflake://org-acct",
                "DB.S.T",
                "urn:li:dataset:(urn:li:dataPlatform:snowflake,DB.S.T,PROD)",
            ),
            (
                "sqlserver://h:1433",
                "d.t",
                "urn:li:dataset:(urn:li:dataPlatform:mssql,d.t,PROD)",
            ),
            (
                "kafka://broker:9092",
                "orders",
                "urn:li:dataset:(urn:li:dataPlatform:kafka,orders,PROD)",
            ),
            (
                "hive://metastore:9083",
                "db.t(x",
                "urn:li:dataset:(urn:li:dataPlatform:hive,db.t%28x,PROD)",
            ),
        ];
        for (ns, name, want) in cases {
            assert_eq!(
                dataset_urn(ns, name, "PROD").unwrap().as_str(),
                want,
                "{ns} {name}"
            );
        }
        assert!(dataset_urn("a b", "t", "PROD").is_err());
    }

    #[test]
    fn jobs_and_flows_round_trip_through_their_parts() {
        let flow = flow_urn("airflow", "etl,daily", "load(v2).orders 100%28").unwrap();
        let job = job_urn(&flow, "load(v2).orders 100%28").unwrap();
        let (f, name) = job_parts(job.as_str()).unwrap();
        assert_eq!(name, "load(v2).orders 100%28");
        assert_eq!(
            flow_parts(&f).unwrap(),
            ("airflow".into(), "load(v2)".into(), "etl,daily".into())
        );
    }

    #[test]
    fn a_flow_is_the_job_names_first_part_in_the_namespace_as_datahub_makes_it() {
        // DataHub's converter: DataFlowUrn(orchestrator, jobName.split(".")[0], namespace).
        let flow = |ns: &str, job: &str| flow_urn("airflow", ns, job).unwrap().to_string();
        assert_eq!(
            flow("prod-airflow", "daily_sales.load_orders"),
            "urn:li:dataFlow:(airflow,daily_sales,prod-airflow)"
        );
        assert_eq!(
            flow("training", "build_features"),
            "urn:li:dataFlow:(airflow,build_features,training)"
        );
        assert_eq!(flow("ns", "a.b.c"), "urn:li:dataFlow:(airflow,a,ns)");
        assert_eq!(
            flow("ns", ".hidden"),
            "urn:li:dataFlow:(airflow,.hidden,ns)"
        );
    }

    #[test]
    fn the_orchestrator_comes_from_the_engine_or_the_producer() {
        let python = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python";
        assert_eq!(orchestrator(None, python), "python");
        assert_eq!(orchestrator(Some("Spark"), python), "spark");
        assert_eq!(
            orchestrator(
                None,
                "https://github.com/apache/airflow/providers-openlineage/1.0"
            ),
            "airflow"
        );
        assert_eq!(
            orchestrator(None, "https://example.com/team/Emitter/"),
            "emitter"
        );
        assert_eq!(orchestrator(None, "urn:x"), "openlineage");
    }
}
