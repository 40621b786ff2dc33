//! The demo catalog, written through the same write path as any client: the entities of the
//! DataHub ML tutorial under the tutorial's URNs, and a customer-segmentation pipeline on
//! Snowflake: raw files on S3 → source tables → a feature table → a generated training dataset
//! → two model versions in a group → a deployment → a table of predicted segments. The
//! pipeline is governed as a team would govern it: owners (users and a group), tags, glossary
//! terms, a domain, links about the models, and the older model version deprecated. The two
//! model versions are versions 1 and 2 of one version set, `champion` on version 2. The
//! segmentation tables have schemas (`schemaMetadata`) and column lineage from the raw files'
//! columns to the tables' columns to the features (`fineGrainedLineages`, features' `sources`
//! naming columns), and the customers' churn flag is marked as a label (tag `Label` on the
//! column): a column that must reach no feature of a model.

use serde_json::{json, Value};

use crate::catalog::aspects::system_ownership_type;
use crate::catalog::Result;
use crate::catalog::{Actor, AspectWrite, Catalog, LinkVersion};
use crate::urn::Urn;

/// The tutorial's feature table holds one feature per Feast type, with the DataHub data type
/// the Feast source maps it to.
const TUTORIAL_FEATURES: &[(&str, &str)] = &[
    ("test_BOOL_LIST_feature", "SEQUENCE"),
    ("test_BOOL_feature", "BINARY"),
    ("test_BYTES_LIST_feature", "SEQUENCE"),
    ("test_BYTES_feature", "BYTE"),
    ("test_DOUBLE_LIST_feature", "SEQUENCE"),
    ("test_DOUBLE_feature", "CONTINUOUS"),
    ("test_FLOAT_LIST_feature", "SEQUENCE"),
    ("test_FLOAT_feature", "CONTINUOUS"),
    ("test_INT32_LIST_feature", "SEQUENCE"),
    ("test_INT32_feature", "ORDINAL"),
    ("test_INT64_LIST_feature", "SEQUENCE"),
    ("test_INT64_feature", "ORDINAL"),
    ("test_STRING_LIST_feature", "SEQUENCE"),
    ("test_STRING_feature", "TEXT"),
];

const TUTORIAL_TABLE: &str = "test_feature_table_all_feature_dtypes";
const SEGMENTATION_TABLE: &str = "uc01_preprocess";

fn urn(s: String) -> Result<Urn> {
    Ok(Urn::parse(&s)?)
}

fn write(writes: &mut Vec<AspectWrite>, urn: &Urn, aspect: &str, value: Value) {
    writes.push(AspectWrite::add_if_missing(urn.clone(), aspect, value));
}

fn platform(writes: &mut Vec<AspectWrite>, name: &str, display: &str, kind: &str) -> Result<()> {
    write(
        writes,
        &Urn::data_platform(name)?,
        "dataPlatformInfo",
        json!({"name": name, "displayName": display, "type": kind, "datasetNameDelimiter": "."}),
    );
    Ok(())
}

/// The columns of the segmentation tables: path, native type, DataHub type, description.
type Column = (&'static str, &'static str, &'static str, &'static str);

const ORDERS_COLUMNS: &[Column] = &[
    ("O_ORDER_ID", "NUMBER(38,0)", "NumberType", "The order's id"),
    (
        "O_CUSTOMER_SK",
        "NUMBER(38,0)",
        "NumberType",
        "The ordering customer's id",
    ),
    (
        "WEEKDAY",
        "VARCHAR",
        "StringType",
        "Day of the week the order was placed",
    ),
    ("DATE", "DATE", "DateType", "When the order was placed"),
    (
        "STORE",
        "NUMBER(38,0)",
        "NumberType",
        "The store that took the order",
    ),
];
const LINEITEM_COLUMNS: &[Column] = &[
    (
        "LI_ORDER_ID",
        "NUMBER(38,0)",
        "NumberType",
        "The order of the line item",
    ),
    (
        "LI_PRODUCT_ID",
        "NUMBER(38,0)",
        "NumberType",
        "The product bought",
    ),
    (
        "QUANTITY",
        "NUMBER(38,0)",
        "NumberType",
        "How many were bought",
    ),
    ("PRICE", "NUMBER(12,2)", "NumberType", "Price of one item"),
];
const RETURNS_COLUMNS: &[Column] = &[
    (
        "OR_ORDER_ID",
        "NUMBER(38,0)",
        "NumberType",
        "The order returned from",
    ),
    (
        "OR_PRODUCT_ID",
        "NUMBER(38,0)",
        "NumberType",
        "The product returned",
    ),
    (
        "OR_RETURN_QUANTITY",
        "NUMBER(38,0)",
        "NumberType",
        "How many were returned",
    ),
];
const CUSTOMER_COLUMNS: &[Column] = &[
    (
        "C_CUSTOMER_SK",
        "NUMBER(38,0)",
        "NumberType",
        "The customer's id",
    ),
    (
        "C_CUSTOMER_ID",
        "VARCHAR",
        "StringType",
        "The customer's business key",
    ),
    (
        "C_EMAIL_ADDRESS",
        "VARCHAR",
        "StringType",
        "The customer's e-mail address",
    ),
    (
        "C_CHURNED",
        "BOOLEAN",
        "BooleanType",
        "Whether the customer left within twelve months: the churn label, never a feature's input",
    ),
];
const SEGMENTS_COLUMNS: &[Column] = &[
    (
        "C_CUSTOMER_SK",
        "NUMBER(38,0)",
        "NumberType",
        "The customer's id",
    ),
    (
        "SEGMENT",
        "NUMBER(38,0)",
        "NumberType",
        "The segment the model assigned",
    ),
];
const TRAINING_COLUMNS: &[Column] = &[
    (
        "O_CUSTOMER_SK",
        "NUMBER(38,0)",
        "NumberType",
        "The customer's id",
    ),
    (
        "FREQUENCY",
        "FLOAT",
        "NumberType",
        "Orders per year of the customer",
    ),
    (
        "RETURN_RATIO",
        "FLOAT",
        "NumberType",
        "Share of line items returned",
    ),
];

/// A `schemaMetadata` aspect listing `columns`, in DataHub's shape.
fn schema(dataset: &Urn, platform: &str, columns: &[Column]) -> Value {
    let fields: Vec<Value> = columns
        .iter()
        .map(|(path, native, kind, description)| {
            json!({
                "fieldPath": path,
                "nativeDataType": native,
                "type": {"type": {format!("com.linkedin.schema.{kind}"): {}}},
                "nullable": false,
                "description": description,
            })
        })
        .collect();
    json!({
        "schemaName": dataset.name(),
        "platform": format!("urn:li:dataPlatform:{platform}"),
        "version": 0,
        "hash": "",
        "platformSchema": {"com.linkedin.schema.OtherSchema": {"rawSchema": ""}},
        "fields": fields,
    })
}

/// The URN of column `path` of `dataset`.
fn column(dataset: &Urn, path: &str) -> String {
    format!("urn:li:schemaField:({dataset},{path})")
}

/// Column lineage copying each of `columns` from `from` to the column of the same path of `to`.
fn copied_columns(from: &Urn, to: &Urn, columns: &[Column]) -> Vec<Value> {
    columns
        .iter()
        .map(|(path, ..)| {
            json!({
                "upstreamType": "FIELD_SET",
                "upstreams": [column(from, path)],
                "downstreamType": "FIELD",
                "downstreams": [column(to, path)],
                "transformOperation": "COPY",
            })
        })
        .collect()
}

/// An `upstreamLineage` aspect naming each upstream, in DataHub's shape.
fn upstreams(of: &[&Urn]) -> Value {
    let list: Vec<Value> = of
        .iter()
        .map(|u| {
            json!({
                "dataset": u.to_string(),
                "type": "TRANSFORMED",
                "auditStamp": {"time": 0, "actor": "urn:li:corpuser:mlcat-demo"},
            })
        })
        .collect();
    json!({ "upstreams": list })
}

fn tutorial(writes: &mut Vec<AspectWrite>) -> Result<()> {
    let mut features = Vec::new();
    for (name, data_type) in TUTORIAL_FEATURES {
        let feature = Urn::ml_feature(TUTORIAL_TABLE, name)?;
        write(
            writes,
            &feature,
            "mlFeatureProperties",
            json!({"dataType": data_type}),
        );
        features.push(feature.to_string());
    }
    let key = Urn::ml_primary_key(TUTORIAL_TABLE, "dummy_entity_1")?;
    write(
        writes,
        &key,
        "mlPrimaryKeyProperties",
        json!({"dataType": "TEXT", "sources": []}),
    );
    write(
        writes,
        &Urn::ml_feature_table("feast", TUTORIAL_TABLE)?,
        "mlFeatureTableProperties",
        json!({"mlFeatures": features, "mlPrimaryKeys": [key.to_string()]}),
    );
    write(
        writes,
        &Urn::ml_model("science", "scienceModel", "PROD")?,
        "mlModelProperties",
        json!({
            "description": "A sample model for predicting some outcome.",
            "type": "Naive Bayes classifier",
            "hyperParams": [{"name": "alpha", "value": "1.0"}],
            "trainingMetrics": [{"name": "accuracy", "value": "0.87"}],
        }),
    );
    write(
        writes,
        &Urn::ml_model_group("science", "my-model-group", "PROD")?,
        "mlModelGroupProperties",
        json!({"description": "my model group"}),
    );
    Ok(())
}

fn segmentation(writes: &mut Vec<AspectWrite>) -> Result<()> {
    let table =
        |name: &str| Urn::dataset("snowflake", &format!("tpcxai_sf0001.public.{name}"), "PROD");
    let orders = table("orders")?;
    let lineitem = table("lineitem")?;
    let returns = table("order_returns")?;
    let customer = table("customer")?;
    // The files the tables are loaded from, on S3: the sources of everything below.
    for ds in [&orders, &lineitem, &returns, &customer] {
        let file = ds.name().rsplit('.').next().unwrap_or(ds.name());
        let raw = Urn::dataset("s3", &format!("tpcxai-raw/{file}.csv"), "PROD")?;
        write(
            writes,
            &raw,
            "datasetProperties",
            json!({
                "name": format!("{file}.csv"),
                "description": format!("Raw TPCx-AI {file} extract, loaded daily into Snowflake"),
            }),
        );
        let columns = match file {
            "orders" => ORDERS_COLUMNS,
            "lineitem" => LINEITEM_COLUMNS,
            "order_returns" => RETURNS_COLUMNS,
            _ => CUSTOMER_COLUMNS,
        };
        write(writes, &raw, "schemaMetadata", schema(&raw, "s3", columns));
        write(
            writes,
            ds,
            "schemaMetadata",
            schema(ds, "snowflake", columns),
        );
        let mut lineage = upstreams(&[&raw]);
        lineage["fineGrainedLineages"] = json!(copied_columns(&raw, ds, columns));
        write(writes, ds, "upstreamLineage", lineage);
    }
    for (ds, desc) in [
        (
            &orders,
            "Customer orders: one row per order, with the customer and the order date.",
        ),
        (
            &lineitem,
            "Line items of orders: product, quantity and price of each.",
        ),
        (
            &returns,
            "Returned line items of orders, with the quantity returned.",
        ),
        (&customer, "Customers, keyed by customer id."),
    ] {
        write(
            writes,
            ds,
            "datasetProperties",
            json!({
                "name": ds.name().rsplit('.').next().unwrap_or(ds.name()).to_uppercase(),
                "qualifiedName": ds.name().to_uppercase(),
                "description": desc,
                "customProperties": {"source": "TPCx-AI use case 1"},
            }),
        );
    }

    let key = Urn::ml_primary_key(SEGMENTATION_TABLE, "O_CUSTOMER_SK")?;
    write(
        writes,
        &key,
        "mlPrimaryKeyProperties",
        json!({
            "description": "Customer id: the CUSTOMER entity's join key",
            "dataType": "ORDINAL",
            "sources": [
                orders.to_string(),
                customer.to_string(),
                column(&orders, "O_CUSTOMER_SK"),
                column(&customer, "C_CUSTOMER_SK"),
            ],
        }),
    );
    let frequency = Urn::ml_feature(SEGMENTATION_TABLE, "FREQUENCY")?;
    write(
        writes,
        &frequency,
        "mlFeatureProperties",
        json!({
            "description": "Orders per year of the customer",
            "dataType": "CONTINUOUS",
            "version": {"versionTag": "V_1"},
            "sources": [
                orders.to_string(),
                lineitem.to_string(),
                column(&orders, "O_ORDER_ID"),
                column(&orders, "O_CUSTOMER_SK"),
                column(&orders, "DATE"),
                column(&lineitem, "LI_ORDER_ID"),
            ],
        }),
    );
    let return_ratio = Urn::ml_feature(SEGMENTATION_TABLE, "RETURN_RATIO")?;
    write(
        writes,
        &return_ratio,
        "mlFeatureProperties",
        json!({
            "description": "Share of the customer's line items that were returned",
            "dataType": "CONTINUOUS",
            "version": {"versionTag": "V_1"},
            "sources": [
                lineitem.to_string(),
                returns.to_string(),
                column(&lineitem, "QUANTITY"),
                column(&returns, "OR_RETURN_QUANTITY"),
            ],
        }),
    );
    write(
        writes,
        &Urn::ml_feature_table("snowflake", SEGMENTATION_TABLE)?,
        "mlFeatureTableProperties",
        json!({
            "description": "Feature view FV_UC01_PREPROCESS: order frequency and return ratio per customer",
            "mlFeatures": [frequency.to_string(), return_ratio.to_string()],
            "mlPrimaryKeys": [key.to_string()],
            "customProperties": {"featureViewVersion": "V_1", "refreshFreq": "1 minute"},
        }),
    );

    // The training dataset generated from the feature view.
    let training = Urn::dataset(
        "snowflake",
        "ml_lineage_database.ml_lineage_schema.uc01_training_data",
        "PROD",
    )?;
    write(
        writes,
        &training,
        "datasetProperties",
        json!({
            "name": "UC01_TRAINING_DATA",
            "description": "Training dataset generated from the feature view FV_UC01_PREPROCESS (version V_1)",
        }),
    );
    write(
        writes,
        &training,
        "schemaMetadata",
        schema(&training, "snowflake", TRAINING_COLUMNS),
    );
    let feature_view = Urn::ml_feature_table("snowflake", SEGMENTATION_TABLE)?;
    write(
        writes,
        &training,
        "upstreamLineage",
        upstreams(&[&feature_view]),
    );

    let deployment = Urn::parse(
        "urn:li:mlModelDeployment:(urn:li:dataPlatform:snowflake,customer_segmentation_service,PROD)",
    )?;
    write(
        writes,
        &deployment,
        "mlModelDeploymentProperties",
        json!({
            "description": "Scores new customers into segments every hour",
            "status": "IN_SERVICE",
            "version": {"versionTag": "v2"},
        }),
    );

    let group = Urn::ml_model_group("snowflake", "customer_segmentation", "PROD")?;
    write(
        writes,
        &group,
        "mlModelGroupProperties",
        json!({
            "name": "Customer segmentation",
            "description": "K-means clustering of customers by order frequency and return ratio",
        }),
    );
    for (version, clusters, inertia, description) in [
        (
            "v1",
            "4",
            "812.4",
            "First segmentation model: four clusters",
        ),
        (
            "v2",
            "5",
            "655.1",
            "Retrained with five clusters after the spring data refresh",
        ),
    ] {
        let model = urn(format!(
            "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_{version},PROD)"
        ))?;
        write(
            writes,
            &model,
            "mlModelProperties",
            json!({
                "name": format!("Customer segmentation {version}"),
                "description": description,
                "version": {"versionTag": version},
                "type": "KMeans",
                "hyperParams": [
                    {"name": "n_clusters", "value": clusters},
                    {"name": "scaler", "value": "MinMaxScaler"},
                ],
                "trainingMetrics": [{"name": "inertia", "value": inertia}],
                "mlFeatures": [frequency.to_string(), return_ratio.to_string()],
                "groups": [group.to_string()],
                "tags": ["segmentation"],
                "deployments": if version == "v2" { vec![deployment.to_string()] } else { vec![] },
            }),
        );
        write(
            writes,
            &model,
            "mlModelTrainingData",
            json!({
                "trainingData": [{
                    "dataset": training.to_string(),
                    "motivation": "Customer behaviour of the last twelve months",
                    "preProcessing": ["MinMaxScaler on FREQUENCY and RETURN_RATIO"],
                }],
            }),
        );
        if version == "v2" {
            // The service scores customers into the segments table.
            let segments = table("customer_segments")?;
            write(
                writes,
                &segments,
                "datasetProperties",
                json!({
                    "name": "CUSTOMER_SEGMENTS",
                    "description": "Segment of each customer, refreshed by the scoring task",
                }),
            );
            write(
                writes,
                &segments,
                "schemaMetadata",
                schema(&segments, "snowflake", SEGMENTS_COLUMNS),
            );
            let mut lineage = upstreams(&[&model, &customer]);
            lineage["fineGrainedLineages"] =
                json!(copied_columns(&customer, &segments, &SEGMENTS_COLUMNS[..1]));
            write(writes, &segments, "upstreamLineage", lineage);
        }
    }
    Ok(())
}

/// When the demo's governance was written (2 March 2026, 00:00 UTC), in milliseconds.
const GOVERNED_AT: i64 = 1_772_409_600_000;
/// When the deprecated model version is to be decommissioned (31 March 2027, 00:00 UTC).
const V1_DECOMMISSION: i64 = 1_806_451_200_000;

/// An audit stamp of the demo's governance, by `actor`.
fn stamp(actor: &Urn) -> Value {
    json!({"time": GOVERNED_AT, "actor": actor.to_string()})
}

/// An owner of an `ownership` aspect: a user or group with one of DataHub's system ownership
/// types, named both ways (`type` and `typeUrn`) as DataHub's own writers do.
fn owner(who: &Urn, kind: &str) -> Value {
    json!({
        "owner": who.to_string(),
        "type": kind,
        "typeUrn": system_ownership_type(kind),
    })
}

/// The people and the group that own the segmentation pipeline, its tags, its glossary, its
/// domain, links about its models, and the older model version deprecated in favour of v2.
fn governance(writes: &mut Vec<AspectWrite>) -> Result<()> {
    let demo = Urn::parse("urn:li:corpuser:mlcat-demo")?;
    let maria = Urn::parse("urn:li:corpuser:maria.lopez")?;
    let sam = Urn::parse("urn:li:corpuser:sam.okafor")?;
    let priya = Urn::parse("urn:li:corpuser:priya.nair")?;
    for (user, first, last, title) in [
        (&maria, "Maria", "Lopez", "Data Scientist"),
        (&sam, "Sam", "Okafor", "Machine Learning Engineer"),
        (&priya, "Priya", "Nair", "Head of Customer Analytics"),
    ] {
        write(
            writes,
            user,
            "corpUserInfo",
            json!({
                "active": true,
                "displayName": format!("{first} {last}"),
                "firstName": first,
                "lastName": last,
                "fullName": format!("{first} {last}"),
                "title": title,
                "email": format!("{}@example.com", user.name()),
            }),
        );
    }
    let team = Urn::parse("urn:li:corpGroup:customer-analytics")?;
    write(
        writes,
        &team,
        "corpGroupInfo",
        json!({
            "displayName": "Customer Analytics",
            "description": "The team that segments customers and maintains the segmentation models",
            "email": "customer-analytics@example.com",
            "admins": [priya.to_string()],
            "members": [maria.to_string(), sam.to_string(), priya.to_string()],
            "groups": [],
        }),
    );

    let production = Urn::parse("urn:li:tag:Production")?;
    let legacy = Urn::parse("urn:li:tag:Legacy")?;
    let pii = Urn::parse("urn:li:tag:PII")?;
    let label = Urn::parse("urn:li:tag:Label")?;
    for (tag, description, colour) in [
        (&production, "Serves live traffic", "#16a34a"),
        (
            &label,
            "The column a model learns to predict: it must feed no feature of that model",
            "#9333ea",
        ),
        (
            &legacy,
            "Kept for reference only: do not build anything new on it",
            "#64748b",
        ),
        (&pii, "Holds personal data of customers", "#dc2626"),
    ] {
        write(
            writes,
            tag,
            "tagProperties",
            json!({"name": tag.name(), "description": description, "colorHex": colour}),
        );
    }

    let node = Urn::parse("urn:li:glossaryNode:CustomerAnalytics")?;
    write(
        writes,
        &node,
        "glossaryNodeInfo",
        json!({
            "name": "Customer analytics",
            "definition": "Terms for what the business measures about its customers",
        }),
    );
    let segment = Urn::parse("urn:li:glossaryTerm:CustomerAnalytics.CustomerSegment")?;
    let return_rate = Urn::parse("urn:li:glossaryTerm:CustomerAnalytics.ReturnRate")?;
    for (term, name, definition) in [
        (
            &segment,
            "Customer segment",
            "A group of customers who order and return in a similar way, as assigned by the segmentation model",
        ),
        (
            &return_rate,
            "Return rate",
            "The share of the line items a customer bought that they returned",
        ),
    ] {
        write(
            writes,
            term,
            "glossaryTermInfo",
            json!({
                "name": name,
                "definition": definition,
                "parentNode": node.to_string(),
                "termSource": "INTERNAL",
            }),
        );
    }

    let marketing = Urn::parse("urn:li:domain:marketing")?;
    write(
        writes,
        &marketing,
        "domainProperties",
        json!({
            "name": "Marketing",
            "description": "Knowing customers and reaching them: segmentation, campaigns and the models behind them",
        }),
    );

    let segmentation_model = |version: &str| {
        urn(format!(
            "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_{version},PROD)"
        ))
    };
    let v1 = segmentation_model("v1")?;
    let v2 = segmentation_model("v2")?;
    let group = Urn::ml_model_group("snowflake", "customer_segmentation", "PROD")?;
    let deployment = Urn::parse(
        "urn:li:mlModelDeployment:(urn:li:dataPlatform:snowflake,customer_segmentation_service,PROD)",
    )?;
    let feature_table = Urn::ml_feature_table("snowflake", SEGMENTATION_TABLE)?;
    let frequency = Urn::ml_feature(SEGMENTATION_TABLE, "FREQUENCY")?;
    let return_ratio = Urn::ml_feature(SEGMENTATION_TABLE, "RETURN_RATIO")?;
    let key = Urn::ml_primary_key(SEGMENTATION_TABLE, "O_CUSTOMER_SK")?;
    let customer = Urn::dataset("snowflake", "tpcxai_sf0001.public.customer", "PROD")?;
    let segments = Urn::dataset(
        "snowflake",
        "tpcxai_sf0001.public.customer_segments",
        "PROD",
    )?;

    // Owners: the data scientist builds the models, the engineer runs the features and the
    // service, the team answers for what the models are used for.
    let owners = |list: Vec<Value>| json!({"owners": list, "lastModified": stamp(&demo)});
    for model in [&v1, &v2, &group] {
        write(
            writes,
            model,
            "ownership",
            owners(vec![
                owner(&maria, "TECHNICAL_OWNER"),
                owner(&team, "BUSINESS_OWNER"),
            ]),
        );
    }
    for asset in [&deployment, &feature_table] {
        write(
            writes,
            asset,
            "ownership",
            owners(vec![owner(&sam, "TECHNICAL_OWNER")]),
        );
    }
    write(
        writes,
        &segments,
        "ownership",
        owners(vec![
            owner(&team, "BUSINESS_OWNER"),
            owner(&priya, "DATA_STEWARD"),
        ]),
    );

    let tags = |list: &[&Urn]| {
        let list: Vec<Value> = list.iter().map(|t| json!({"tag": t.to_string()})).collect();
        json!({ "tags": list })
    };
    write(writes, &v2, "globalTags", tags(&[&production]));
    write(writes, &deployment, "globalTags", tags(&[&production]));
    write(writes, &v1, "globalTags", tags(&[&legacy]));
    write(writes, &key, "globalTags", tags(&[&pii]));
    write(writes, &customer, "globalTags", tags(&[&pii]));
    // The churn flag is the label: marked on the column, as people mark a column in DataHub.
    write(
        writes,
        &customer,
        "editableSchemaMetadata",
        json!({"editableSchemaFieldInfo": [{
            "fieldPath": "C_CHURNED",
            "description": "The churn label: whether the customer left within twelve months",
            "globalTags": tags(&[&label]),
        }]}),
    );

    let terms = |list: &[&Urn]| {
        let list: Vec<Value> = list.iter().map(|t| json!({"urn": t.to_string()})).collect();
        json!({"terms": list, "auditStamp": stamp(&demo)})
    };
    for assigned in [&v1, &v2, &group, &segments] {
        write(writes, assigned, "glossaryTerms", terms(&[&segment]));
    }
    write(
        writes,
        &return_ratio,
        "glossaryTerms",
        terms(&[&return_rate]),
    );

    // The domain holds the pipeline's ML assets (DataHub gives a deployment no domain).
    for asset in [
        &v1,
        &v2,
        &group,
        &feature_table,
        &frequency,
        &return_ratio,
        &key,
    ] {
        write(
            writes,
            asset,
            "domains",
            json!({"domains": [marketing.to_string()]}),
        );
    }

    write(
        writes,
        &v1,
        "deprecation",
        json!({
            "deprecated": true,
            "note": "Replaced by Customer segmentation v2 (five clusters, retrained after the spring data refresh). Kept for comparison until it is decommissioned.",
            "decommissionTime": V1_DECOMMISSION,
            "actor": maria.to_string(),
            "replacement": v2.to_string(),
        }),
    );

    for (model, version) in [(&v1, "v1"), (&v2, "v2")] {
        write(
            writes,
            model,
            "institutionalMemory",
            json!({"elements": [
                {
                    "url": format!("https://wiki.example.com/ml/customer-segmentation/{version}"),
                    "description": format!("Model card of customer segmentation {version}"),
                    "createStamp": stamp(&maria),
                },
                {
                    "url": "https://wiki.example.com/ml/customer-segmentation/runbook",
                    "description": "Runbook: retraining and rolling back the segmentation model",
                    "createStamp": stamp(&sam),
                },
            ]}),
        );
    }
    Ok(())
}

/// Loads the demo catalog: writes each demo aspect that its entity does not have yet. An
/// aspect the entity has is left as it is, equal to the demo's or edited since, so loading the
/// demo again writes nothing new and never undoes a person's edits (nor brings back an
/// aspect's earlier value; aspects are never removed, only replaced).
pub async fn load(catalog: &Catalog) -> Result<usize> {
    let mut writes = Vec::new();
    platform(&mut writes, "feast", "Feast", "KEY_VALUE_STORE")?;
    platform(&mut writes, "snowflake", "Snowflake", "RELATIONAL_DB")?;
    platform(&mut writes, "science", "Science", "OTHERS")?;
    tutorial(&mut writes)?;
    segmentation(&mut writes)?;
    governance(&mut writes)?;
    let actor = Actor::named("mlcat-demo");
    let written = catalog.write(&actor, writes).await?;
    let versioned = segmentation_versions(catalog, &actor).await?;
    Ok(written.iter().filter(|w| w.changed).count() + versioned)
}

/// The version set of the segmentation models.
pub const SEGMENTATION_SET: &str = "urn:li:versionSet:(customer_segmentation,mlModel)";

/// The two segmentation models as versions 1 and 2 of one set, with the alias `champion` on
/// version 2, the one deployed. Only when the set does not exist yet, so that loading the demo
/// again never undoes a person's links or alias moves. Answers how many writes it made.
async fn segmentation_versions(catalog: &Catalog, actor: &Actor) -> Result<usize> {
    let set = Urn::parse(SEGMENTATION_SET)?;
    if catalog.entity(&set).await?.is_some() {
        return Ok(0);
    }
    let model = |version: &str| {
        Urn::parse(&format!(
            "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_{version},PROD)"
        ))
    };
    let (v1, v2) = (model("v1")?, model("v2")?);
    for (version, label, comment) in [
        (&v1, "1", "Four clusters"),
        (
            &v2,
            "2",
            "Five clusters, retrained after the spring data refresh",
        ),
    ] {
        let mut link = LinkVersion::new(set.clone(), version.clone(), Some(label.into()));
        link.comment = Some(comment.into());
        catalog.link_version(actor, link).await?;
    }
    catalog
        .move_alias(actor, &set, "champion", Some(&v2), Some(None))
        .await?;
    Ok(3)
}
