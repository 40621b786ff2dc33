//! The data platforms mlcat knows without anyone ingesting them: DataHub's ids, display names,
//! kinds, dataset-name delimiters and logo paths for the platforms ML teams use, as DataHub's
//! own bootstrap data lists them. A platform's stored `dataPlatformInfo` aspect wins over this
//! table; a platform in neither has no properties.
//!
//! The logo URLs are the paths DataHub's web app serves its platform logos at
//! (`assets/platforms/<name>logo.png`, relative to the app); mlcat serves no logos itself.

use serde_json::Map;

use super::aspects::DataPlatformInfo;

/// `(id, display name, PlatformType, dataset-name delimiter, logo path)`, sorted by id.
const WELL_KNOWN: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "adlsGen2",
        "Azure Data Lake (Gen 2)",
        "FILE_SYSTEM",
        "/",
        Some("assets/platforms/adlslogo.png"),
    ),
    (
        "airflow",
        "Airflow",
        "OTHERS",
        ".",
        Some("assets/platforms/airflowlogo.png"),
    ),
    (
        "athena",
        "AWS Athena",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/awsathenalogo.png"),
    ),
    (
        "bigquery",
        "BigQuery",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/bigquerylogo.png"),
    ),
    (
        "cassandra",
        "Cassandra",
        "KEY_VALUE_STORE",
        ".",
        Some("assets/platforms/cassandralogo.png"),
    ),
    (
        "clickhouse",
        "ClickHouse",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/clickhouselogo.png"),
    ),
    (
        "csv",
        "CSV",
        "OTHERS",
        ".",
        Some("assets/platforms/csv-logo.png"),
    ),
    (
        "dagster",
        "Dagster",
        "OTHERS",
        "/",
        Some("assets/platforms/dagsterlogo.svg"),
    ),
    (
        "databricks",
        "Databricks",
        "OTHERS",
        ".",
        Some("assets/platforms/databrickslogo.png"),
    ),
    (
        "dbt",
        "dbt",
        "OTHERS",
        ".",
        Some("assets/platforms/dbtlogo.png"),
    ),
    (
        "delta-lake",
        "Delta Lake",
        "OTHERS",
        ".",
        Some("assets/platforms/deltalakelogo.png"),
    ),
    (
        "druid",
        "Druid",
        "OLAP_DATASTORE",
        ".",
        Some("assets/platforms/druidlogo.png"),
    ),
    (
        "dynamodb",
        "DynamoDB",
        "KEY_VALUE_STORE",
        ".",
        Some("assets/platforms/dynamodblogo.png"),
    ),
    (
        "elasticsearch",
        "Elasticsearch",
        "OTHERS",
        ".",
        Some("assets/platforms/elasticsearchlogo.png"),
    ),
    (
        "feast",
        "Feast",
        "OTHERS",
        ".",
        Some("assets/platforms/feastlogo.png"),
    ),
    (
        "file",
        "File",
        "OTHERS",
        ".",
        Some("assets/platforms/file-logo.svg"),
    ),
    (
        "flink",
        "Apache Flink",
        "OTHERS",
        ".",
        Some("assets/platforms/flinklogo.svg"),
    ),
    (
        "gcs",
        "Google Cloud Storage",
        "FILE_SYSTEM",
        "/",
        Some("assets/platforms/gcslogo.svg"),
    ),
    (
        "glue",
        "Glue",
        "OTHERS",
        ".",
        Some("assets/platforms/gluelogo.png"),
    ),
    (
        "hdfs",
        "HDFS",
        "FILE_SYSTEM",
        "/",
        Some("assets/platforms/hadooplogo.png"),
    ),
    (
        "hive",
        "Hive",
        "FILE_SYSTEM",
        ".",
        Some("assets/platforms/hivelogo.png"),
    ),
    (
        "iceberg",
        "Iceberg",
        "FILE_SYSTEM",
        ".",
        Some("assets/platforms/iceberglogo.png"),
    ),
    (
        "kafka",
        "Kafka",
        "MESSAGE_BROKER",
        ".",
        Some("assets/platforms/kafkalogo.png"),
    ),
    (
        "looker",
        "Looker",
        "OTHERS",
        ".",
        Some("assets/platforms/lookerlogo.svg"),
    ),
    (
        "mariadb",
        "MariaDB",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/mariadblogo.svg"),
    ),
    (
        "mlflow",
        "MLflow",
        "OTHERS",
        ".",
        Some("assets/platforms/mlflowlogo2.png"),
    ),
    (
        "mongodb",
        "MongoDB",
        "KEY_VALUE_STORE",
        ".",
        Some("assets/platforms/mongodblogo.png"),
    ),
    (
        "mssql",
        "SQL Server",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/mssqllogo.png"),
    ),
    (
        "mysql",
        "MySQL",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/mysqllogo.png"),
    ),
    (
        "oracle",
        "Oracle",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/oraclelogo.png"),
    ),
    (
        "pinot",
        "Pinot",
        "OLAP_DATASTORE",
        ".",
        Some("assets/platforms/pinotlogo.png"),
    ),
    (
        "postgres",
        "PostgreSQL",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/postgreslogo.png"),
    ),
    (
        "presto",
        "Presto",
        "QUERY_ENGINE",
        ".",
        Some("assets/platforms/prestologo.png"),
    ),
    (
        "pulsar",
        "Pulsar",
        "MESSAGE_BROKER",
        ".",
        Some("assets/platforms/pulsarlogo.png"),
    ),
    (
        "redshift",
        "Redshift",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/redshiftlogo.png"),
    ),
    (
        "s3",
        "AWS S3",
        "FILE_SYSTEM",
        "/",
        Some("assets/platforms/s3.png"),
    ),
    (
        "sagemaker",
        "SageMaker",
        "OTHERS",
        ".",
        Some("assets/platforms/sagemakerlogo.png"),
    ),
    (
        "snowflake",
        "Snowflake",
        "RELATIONAL_DB",
        ".",
        Some("assets/platforms/snowflakelogo.png"),
    ),
    (
        "spark",
        "Spark",
        "OTHERS",
        ".",
        Some("assets/platforms/sparklogo.png"),
    ),
    (
        "tableau",
        "Tableau",
        "OTHERS",
        ".",
        Some("assets/platforms/tableaulogo.svg"),
    ),
    (
        "trino",
        "Trino",
        "QUERY_ENGINE",
        ".",
        Some("assets/platforms/trinologo.png"),
    ),
    (
        "vertexai",
        "vertexai",
        "OTHERS",
        ".",
        Some("assets/platforms/vertexai.png"),
    ),
];

/// The built-in properties of the platform with DataHub id `name`, if mlcat knows it.
pub fn well_known_platform(name: &str) -> Option<DataPlatformInfo> {
    let at = WELL_KNOWN.binary_search_by(|p| p.0.cmp(name)).ok()?;
    let (id, display, kind, delimiter, logo) = WELL_KNOWN[at];
    Some(DataPlatformInfo {
        name: id.to_string(),
        platform_type: kind.to_string(),
        display_name: Some(display.to_string()),
        dataset_name_delimiter: delimiter.to_string(),
        logo_url: logo.map(str::to_string),
        extra: Map::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::aspects::{validate, AspectSpec};
    use crate::urn::Urn;

    #[test]
    fn the_table_is_sorted_and_every_entry_is_a_valid_aspect() {
        assert!(WELL_KNOWN.windows(2).all(|w| w[0].0 < w[1].0));
        for (id, ..) in WELL_KNOWN {
            let info = well_known_platform(id).unwrap();
            let urn = Urn::parse(&format!("urn:li:dataPlatform:{id}")).unwrap();
            let value = serde_json::to_value(&info).unwrap();
            validate(&urn, DataPlatformInfo::NAME, &value).unwrap();
        }
        assert!(well_known_platform("nope").is_none());
    }
}
