//! The entity types DataHub's ML pages reach through lineage and relationships, read through
//! GraphQL in DataHub's shape from the aspects DataHub's SDK writes: a dataset's schema,
//! siblings and column-level lineage; jobs, flows, charts, dashboards and data products;
//! versions, posts and a group's stored member lists.

use serde_json::{json, Value};

use crate::datahub::{ingest, proposal};
use crate::support::TestApp;

const ORDERS: &str = "urn:li:dataset:(urn:li:dataPlatform:mysql,shop.orders,PROD)";
const CUSTOMERS: &str = "urn:li:dataset:(urn:li:dataPlatform:mysql,shop.customers,PROD)";
const ORDERS_DBT: &str = "urn:li:dataset:(urn:li:dataPlatform:dbt,shop.orders,PROD)";
const FLOW: &str = "urn:li:dataFlow:(airflow,nightly,prod)";
const JOB: &str = "urn:li:dataJob:(urn:li:dataFlow:(airflow,nightly,prod),train)";
const CHART: &str = "urn:li:chart:(looker,churn_by_week)";
const DASHBOARD: &str = "urn:li:dashboard:(looker,churn)";
const PRODUCT: &str = "urn:li:dataProduct:churn-signals";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
const VERSION_SET: &str = "urn:li:versionSet:(churn,mlModel)";
const POST: &str = "urn:li:post:churn-note";
const GROUP: &str = "urn:li:corpGroup:ml-team";

fn field(dataset: &str, path: &str) -> String {
    format!("urn:li:schemaField:({dataset},{path})")
}

async fn put(app: &TestApp, entity_type: &str, urn: &str, aspect: &str, value: Value) {
    ingest(app, proposal(entity_type, urn, aspect, value)).await;
}

#[tokio::test]
async fn a_dataset_answers_its_schema_siblings_and_column_lineage() {
    let app = TestApp::new().await;
    put(
        &app,
        "dataset",
        CUSTOMERS,
        "datasetProperties",
        json!({"name": "customers"}),
    )
    .await;
    put(
        &app,
        "dataset",
        ORDERS_DBT,
        "datasetProperties",
        json!({"name": "orders"}),
    )
    .await;
    put(
        &app,
        "dataset",
        ORDERS,
        "datasetProperties",
        json!({"name": "orders", "uri": "mysql://shop/orders"}),
    )
    .await;
    put(
        &app,
        "dataset",
        ORDERS,
        "schemaMetadata",
        json!({
            "schemaName": "shop.orders",
            "platform": "urn:li:dataPlatform:mysql",
            "version": 2,
            "created": {"time": 1700000000000_i64, "actor": "urn:li:corpuser:etl"},
            "hash": "abc",
            "platformSchema": {"com.linkedin.schema.MySqlDDL": {"tableSchema": "CREATE TABLE orders (id INT)"}},
            "fields": [
                {"fieldPath": "id", "nullable": false, "nativeDataType": "INT",
                 "type": {"type": {"com.linkedin.schema.NumberType": {}}}, "isPartOfKey": true},
                {"fieldPath": "customer_id", "nullable": true, "nativeDataType": "INT",
                 "description": "who ordered",
                 "type": {"type": {"com.linkedin.schema.NumberType": {}}},
                 "globalTags": {"tags": [{"tag": "urn:li:tag:pii"}]}},
            ],
            "primaryKeys": ["id"],
            "foreignKeys": [{
                "name": "fk_customer",
                "foreignFields": [field(CUSTOMERS, "id")],
                "sourceFields": [field(ORDERS, "customer_id")],
                "foreignDataset": CUSTOMERS,
            }],
        }),
    )
    .await;
    put(
        &app,
        "dataset",
        ORDERS,
        "siblings",
        json!({"siblings": [ORDERS_DBT], "primary": true}),
    )
    .await;
    put(
        &app,
        "dataset",
        ORDERS,
        "upstreamLineage",
        json!({
            "upstreams": [{"dataset": CUSTOMERS, "type": "TRANSFORMED",
                           "auditStamp": {"time": 0, "actor": "urn:li:corpuser:unknown"}}],
            "fineGrainedLineages": [{
                "upstreamType": "FIELD_SET", "upstreams": [field(CUSTOMERS, "id")],
                "downstreamType": "FIELD", "downstreams": [field(ORDERS, "customer_id")],
                "transformOperation": "IDENTITY",
            }],
        }),
    )
    .await;

    let data = app
        .data(&format!(
            r#"{{ dataset(urn: "{ORDERS}") {{
                uri platformNativeType
                older: schemaMetadata(version: 3) {{ name }}
                schemaMetadata(version: 0) {{
                    aspectVersion datasetUrn name platformUrn version createdAt hash cluster
                    platformSchema {{
                        ... on TableSchema {{ schema }}
                        ... on KeyValueSchema {{ keySchema valueSchema }}
                    }}
                    fields {{
                        fieldPath nullable description type nativeDataType isPartOfKey
                        globalTags {{ tags {{ tag {{ urn }} }} }}
                        schemaFieldEntity {{ urn type fieldPath structuredProperties {{ properties {{ values {{ ... on StringValue {{ stringValue }} }} }} }} }}
                    }}
                    primaryKeys
                    foreignKeys {{
                        name
                        foreignFields {{ fieldPath }}
                        sourceFields {{ urn fieldPath }}
                        foreignDataset {{ urn properties {{ name }} }}
                    }}
                }}
                siblings {{ isPrimary siblings {{ urn type }} }}
                fineGrainedLineages {{
                    upstreams {{ urn path }}
                    downstreams {{ urn path }}
                }}
            }} }}"#
        ))
        .await;
    let d = &data["dataset"];
    assert_eq!(d["uri"], "mysql://shop/orders");
    assert_eq!(d["platformNativeType"], Value::Null);
    assert_eq!(d["older"], Value::Null);
    let s = &d["schemaMetadata"];
    assert_eq!(s["aspectVersion"], 0);
    assert_eq!(s["datasetUrn"], ORDERS);
    assert_eq!(s["name"], "shop.orders");
    assert_eq!(s["platformUrn"], "urn:li:dataPlatform:mysql");
    assert_eq!(s["version"], 2);
    assert_eq!(s["createdAt"], 1700000000000_i64);
    assert_eq!(s["hash"], "abc");
    assert_eq!(
        s["platformSchema"],
        json!({"schema": "CREATE TABLE orders (id INT)"})
    );
    assert_eq!(s["primaryKeys"], json!(["id"]));
    let fields = s["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0]["fieldPath"], "id");
    assert_eq!(fields[0]["type"], "NUMBER");
    assert_eq!(fields[0]["isPartOfKey"], true);
    assert_eq!(fields[0]["nullable"], false);
    assert_eq!(fields[1]["description"], "who ordered");
    assert_eq!(
        fields[1]["globalTags"]["tags"][0]["tag"]["urn"],
        "urn:li:tag:pii"
    );
    assert_eq!(
        fields[1]["schemaFieldEntity"],
        json!({"urn": field(ORDERS, "customer_id"), "type": "SCHEMA_FIELD",
               "fieldPath": "customer_id", "structuredProperties": null})
    );
    assert_eq!(
        s["foreignKeys"],
        json!([{
            "name": "fk_customer",
            "foreignFields": [{"fieldPath": "id"}],
            "sourceFields": [{"urn": field(ORDERS, "customer_id"), "fieldPath": "customer_id"}],
            "foreignDataset": {"urn": CUSTOMERS, "properties": {"name": "customers"}},
        }])
    );
    assert_eq!(
        d["siblings"],
        json!({"isPrimary": true, "siblings": [{"urn": ORDERS_DBT, "type": "DATASET"}]})
    );
    assert_eq!(
        d["fineGrainedLineages"],
        json!([{
            "upstreams": [{"urn": field(CUSTOMERS, "id"), "path": "id"}],
            "downstreams": [{"urn": field(ORDERS, "customer_id"), "path": "customer_id"}],
        }])
    );

    // A dataset with none of these aspects answers null for each.
    let bare = app
        .data(&format!(
            r#"{{ dataset(urn: "{CUSTOMERS}") {{
                uri schemaMetadata {{ name }} siblings {{ isPrimary }}
                fineGrainedLineages {{ transformOperation }} versionProperties {{ isLatest }}
            }} }}"#
        ))
        .await;
    assert_eq!(
        bare["dataset"],
        json!({"uri": null, "schemaMetadata": null, "siblings": null,
               "fineGrainedLineages": null, "versionProperties": null})
    );
}

#[tokio::test]
async fn jobs_flows_charts_dashboards_and_products_read_their_aspects() {
    let app = TestApp::new().await;
    put(
        &app,
        "dataFlow",
        FLOW,
        "dataFlowInfo",
        json!({"name": "nightly", "description": "the nightly run", "project": "ml",
               "externalUrl": "https://airflow.example.com/nightly",
               "customProperties": {"schedule": "@daily"}}),
    )
    .await;
    put(
        &app,
        "dataFlow",
        FLOW,
        "editableDataFlowProperties",
        json!({"description": "edited"}),
    )
    .await;
    put(
        &app,
        "dataFlow",
        FLOW,
        "ownership",
        json!({"owners": [{"owner": "urn:li:corpuser:jdoe", "type": "DATAOWNER"}]}),
    )
    .await;
    put(
        &app,
        "dataJob",
        JOB,
        "dataJobInfo",
        json!({"name": "train", "type": {"string": "PYTHON"}, "description": "trains churn",
               "customProperties": {"retries": "2"}}),
    )
    .await;
    put(
        &app,
        "dataJob",
        JOB,
        "globalTags",
        json!({"tags": [{"tag": "urn:li:tag:ml"}]}),
    )
    .await;
    put(
        &app,
        "chart",
        CHART,
        "chartInfo",
        json!({"title": "Churn by week", "description": "weekly churn",
               "lastModified": {"created": {"time": 1, "actor": "urn:li:corpuser:jdoe"},
                                "lastModified": {"time": 2, "actor": "urn:li:corpuser:jdoe"}},
               "chartUrl": "https://looker.example.com/charts/1"}),
    )
    .await;
    put(
        &app,
        "chart",
        CHART,
        "inputFields",
        json!({"fields": [{"schemaFieldUrn": field(ORDERS, "id"),
                           "schemaField": {"fieldPath": "id", "nullable": false, "nativeDataType": "INT",
                                           "type": {"type": {"com.linkedin.schema.NumberType": {}}}}}]}),
    )
    .await;
    put(
        &app,
        "dashboard",
        DASHBOARD,
        "dashboardInfo",
        json!({"title": "Churn", "description": "all about churn", "charts": [CHART],
               "lastModified": {"created": {"time": 3}, "lastModified": {"time": 4}},
               "lastRefreshed": 5}),
    )
    .await;
    put(
        &app,
        "dataProduct",
        PRODUCT,
        "dataProductProperties",
        json!({"name": "Churn signals", "description": "what predicts churn",
               "assets": [{"destinationUrn": ORDERS}]}),
    )
    .await;
    put(
        &app,
        "dataProduct",
        PRODUCT,
        "domains",
        json!({"domains": ["urn:li:domain:growth"]}),
    )
    .await;

    let data = app
        .data(&format!(
            r#"{{
            flow: entity(urn: "{FLOW}") {{ urn type ... on DataFlow {{
                orchestrator flowId cluster platform {{ urn }}
                properties {{ name description project externalUrl customProperties {{ key value }} }}
                editableProperties {{ description }}
                ownership {{ owners {{ owner {{ ... on CorpUser {{ urn }} }} }} }}
                status {{ removed }}
            }} }}
            job: entity(urn: "{JOB}") {{ urn type ... on DataJob {{
                jobId dataFlow {{ urn flowId }}
                properties {{ name description externalUrl customProperties {{ key value }} }}
                editableProperties {{ description }}
                globalTags {{ tags {{ tag {{ urn }} }} }}
            }} }}
            chart: entity(urn: "{CHART}") {{ urn type ... on Chart {{
                tool chartId platform {{ urn }}
                properties {{ name description externalUrl created {{ time actor }} lastModified {{ time }} }}
                inputFields {{ fields {{ schemaFieldUrn schemaField {{ fieldPath type nativeDataType }} }} }}
            }} }}
            dashboard: entity(urn: "{DASHBOARD}") {{ urn type ... on Dashboard {{
                tool dashboardId platform {{ urn }}
                properties {{ name description lastRefreshed created {{ time }} lastModified {{ time }} }}
                editableProperties {{ description }}
            }} }}
            product: entity(urn: "{PRODUCT}") {{ urn type ... on DataProduct {{
                properties {{ name description }}
                domain {{ domain {{ urn }} }}
            }} }}
        }}"#
        ))
        .await;
    assert_eq!(
        data["flow"],
        json!({
            "urn": FLOW, "type": "DATA_FLOW",
            "orchestrator": "airflow", "flowId": "nightly", "cluster": "prod",
            "platform": {"urn": "urn:li:dataPlatform:airflow"},
            "properties": {"name": "nightly", "description": "the nightly run", "project": "ml",
                           "externalUrl": "https://airflow.example.com/nightly",
                           "customProperties": [{"key": "schedule", "value": "@daily"}]},
            "editableProperties": {"description": "edited"},
            "ownership": {"owners": [{"owner": {"urn": "urn:li:corpuser:jdoe"}}]},
            "status": null,
        })
    );
    assert_eq!(
        data["job"],
        json!({
            "urn": JOB, "type": "DATA_JOB", "jobId": "train",
            "dataFlow": {"urn": FLOW, "flowId": "nightly"},
            "properties": {"name": "train", "description": "trains churn", "externalUrl": null,
                           "customProperties": [{"key": "retries", "value": "2"}]},
            "editableProperties": null,
            "globalTags": {"tags": [{"tag": {"urn": "urn:li:tag:ml"}}]},
        })
    );
    assert_eq!(
        data["chart"],
        json!({
            "urn": CHART, "type": "CHART", "tool": "looker", "chartId": "churn_by_week",
            "platform": {"urn": "urn:li:dataPlatform:looker"},
            "properties": {"name": "Churn by week", "description": "weekly churn",
                           "externalUrl": "https://looker.example.com/charts/1",
                           "created": {"time": 1, "actor": "urn:li:corpuser:jdoe"},
                           "lastModified": {"time": 2}},
            "inputFields": {"fields": [{"schemaFieldUrn": field(ORDERS, "id"),
                "schemaField": {"fieldPath": "id", "type": "NUMBER", "nativeDataType": "INT"}}]},
        })
    );
    assert_eq!(
        data["dashboard"],
        json!({
            "urn": DASHBOARD, "type": "DASHBOARD", "tool": "looker", "dashboardId": "churn",
            "platform": {"urn": "urn:li:dataPlatform:looker"},
            "properties": {"name": "Churn", "description": "all about churn", "lastRefreshed": 5,
                           "created": {"time": 3}, "lastModified": {"time": 4}},
            "editableProperties": null,
        })
    );
    assert_eq!(
        data["product"],
        json!({
            "urn": PRODUCT, "type": "DATA_PRODUCT",
            "properties": {"name": "Churn signals", "description": "what predicts churn"},
            "domain": {"domain": {"urn": "urn:li:domain:growth"}},
        })
    );
}

#[tokio::test]
async fn versions_posts_and_a_groups_stored_members_read_back() {
    let app = TestApp::new().await;
    put(
        &app,
        "mlModel",
        MODEL,
        "mlModelProperties",
        json!({"name": "churn"}),
    )
    .await;
    put(
        &app,
        "mlModel",
        MODEL,
        "versionProperties",
        json!({"versionSet": VERSION_SET, "version": {"versionTag": "3"},
               "aliases": [{"versionTag": "champion"}], "comment": "retrained", "isLatest": true,
               "sortId": "00000003",
               "metadataCreatedTimestamp": {"time": 10, "actor": "urn:li:corpuser:jdoe"},
               "sourceCreatedTimestamp": {"time": 9}}),
    )
    .await;
    put(
        &app,
        "versionSet",
        VERSION_SET,
        "versionSetProperties",
        json!({"latest": MODEL, "versioningScheme": "LEXICOGRAPHIC_STRING"}),
    )
    .await;
    put(
        &app,
        "post",
        POST,
        "postInfo",
        json!({"type": "ENTITY_ANNOUNCEMENT",
               "content": {"title": "Retrained", "type": "LINK", "link": "https://wiki.example.com/churn",
                           "media": {"type": "IMAGE", "location": "https://img.example.com/1.png"}},
               "created": 20, "lastModified": 21}),
    )
    .await;
    put(
        &app,
        "corpGroup",
        GROUP,
        "corpGroupInfo",
        json!({"displayName": "ML team", "admins": ["urn:li:corpuser:jdoe"],
               "members": ["urn:li:corpuser:jdoe", "urn:li:corpuser:asmith"],
               "groups": ["urn:li:corpGroup:data"]}),
    )
    .await;

    let data = app
        .data(&format!(
            r#"{{
            mlModel(urn: "{MODEL}") {{
                share {{ sharedWith }}
                ... on SupportsVersions {{ versionProperties {{
                    versionSet {{ urn type versionsSearch(input: {{query: "*", count: 5, searchFlags: {{skipCache: true}}}}) {{ count total searchResults {{ entity {{ urn }} }} }} }}
                    version {{ versionTag }} aliases {{ versionTag }} comment isLatest
                    created {{ time actor {{ urn }} }} createdInSource {{ time actor {{ urn }} }}
                }} }}
            }}
            set: entity(urn: "{VERSION_SET}") {{ urn type ... on VersionSet {{ latestVersion {{ urn }} }} }}
            post: entity(urn: "{POST}") {{ urn type ... on Post {{
                postType lastModified {{ time }}
                content {{ contentType title description link media {{ type location }} }}
            }} }}
            corpGroup(urn: "{GROUP}") {{ info {{ displayName admins {{ urn }} members {{ urn }} groups }} }}
        }}"#
        ))
        .await;
    assert_eq!(data["mlModel"]["share"], Value::Null);
    assert_eq!(
        data["mlModel"]["versionProperties"],
        json!({
            "versionSet": {"urn": VERSION_SET, "type": "VERSION_SET",
                           "versionsSearch": {"count": 1, "total": 1,
                                              "searchResults": [{"entity": {"urn": MODEL}}]}},
            "version": {"versionTag": "3"}, "aliases": [{"versionTag": "champion"}],
            "comment": "retrained", "isLatest": true,
            "created": {"time": 10, "actor": {"urn": "urn:li:corpuser:jdoe"}},
            "createdInSource": {"time": 9, "actor": null},
        })
    );
    assert_eq!(
        data["set"],
        json!({"urn": VERSION_SET, "type": "VERSION_SET", "latestVersion": {"urn": MODEL}})
    );
    assert_eq!(
        data["post"],
        json!({"urn": POST, "type": "POST", "postType": "ENTITY_ANNOUNCEMENT",
               "lastModified": {"time": 21},
               "content": {"contentType": "LINK", "title": "Retrained", "description": null,
                           "link": "https://wiki.example.com/churn",
                           "media": {"type": "IMAGE", "location": "https://img.example.com/1.png"}}})
    );
    assert_eq!(
        data["corpGroup"]["info"],
        json!({"displayName": "ML team", "admins": [{"urn": "urn:li:corpuser:jdoe"}],
               "members": [{"urn": "urn:li:corpuser:jdoe"}, {"urn": "urn:li:corpuser:asmith"}],
               "groups": ["urn:li:corpGroup:data"]})
    );
}

#[tokio::test]
async fn a_container_without_its_platform_says_which_aspect_is_missing() {
    let app = TestApp::new().await;
    let container = "urn:li:container:bare";
    put(
        &app,
        "container",
        container,
        "containerProperties",
        json!({"name": "bare"}),
    )
    .await;
    let answer = app
        .gql(&format!(
            r#"{{ entity(urn: "{container}") {{ urn ... on Container {{ platform {{ urn }} }} }} }}"#
        ))
        .await;
    // DataHub's `Container.platform` is non-null: no platform is an error, not a made-up one.
    assert_eq!(
        answer["data"]["entity"]["platform"],
        Value::Null,
        "{answer}"
    );
    let error = &answer["errors"][0];
    assert_eq!(error["path"], json!(["entity", "platform"]));
    assert_eq!(error["extensions"]["code"], "NOT_FOUND");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(container) && message.contains("dataPlatformInstance"),
        "{message}"
    );
}

#[tokio::test]
async fn a_domains_entities_filter_on_entity_type_as_the_domain_page_asks() {
    let app = TestApp::new().await;
    let domain = "urn:li:domain:growth";
    put(
        &app,
        "domain",
        domain,
        "domainProperties",
        json!({"name": "Growth"}),
    )
    .await;
    for (entity_type, urn, aspect, value) in [
        (
            "dataProduct",
            PRODUCT,
            "dataProductProperties",
            json!({"name": "Churn signals"}),
        ),
        (
            "dataset",
            ORDERS,
            "datasetProperties",
            json!({"name": "orders"}),
        ),
        (
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"name": "churn"}),
        ),
    ] {
        put(&app, entity_type, urn, aspect, value).await;
        put(
            &app,
            entity_type,
            urn,
            "domains",
            json!({"domains": [domain]}),
        )
        .await;
    }
    // DataHub's domain page counts the domain's data products this way.
    let data = app
        .data(&format!(
            r#"{{ domain(urn: "{domain}") {{
                products: entities(input: {{ start: 0, count: 0, filters: [{{ field: "_entityType", value: "DATA_PRODUCT" }}] }}) {{ total count }}
                assets: entities(input: {{ filters: [{{ field: "_entityType", values: ["DATASET", "MLMODEL"] }}] }}) {{ total searchResults {{ entity {{ urn }} }} }}
                none: entities(input: {{ filters: [{{ field: "_entityType", value: "DATASET" }}, {{ field: "_entityType", value: "MLMODEL" }}] }}) {{ total }}
                all: entities {{ total }}
            }} }}"#
        ))
        .await;
    let d = &data["domain"];
    assert_eq!(d["products"], json!({"total": 1, "count": 0}));
    assert_eq!(d["assets"]["total"], 2);
    let urns: Vec<&str> = d["assets"]["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap())
        .collect();
    assert_eq!(urns, vec![ORDERS, MODEL]);
    assert_eq!(d["none"]["total"], 0);
    assert_eq!(d["all"]["total"], 3);

    for (filter, named) in [
        (r#"{ field: "platform", value: "mysql" }"#, "\"platform\""),
        (r#"{ field: "_entityType", value: "TABLE" }"#, "\"TABLE\""),
        (
            r#"{ field: "_entityType", value: "DATASET", negated: true }"#,
            "negated",
        ),
    ] {
        let answer = app
            .gql(&format!(
                r#"{{ domain(urn: "{domain}") {{ entities(input: {{ filters: [{filter}] }}) {{ total }} }} }}"#
            ))
            .await;
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("input.filters[0]") && message.contains(named),
            "{message}"
        );
    }
}

#[tokio::test]
async fn containers_carry_governance_and_datasets_name_their_container() {
    let app = TestApp::new().await;
    let (schema, db) = ("urn:li:container:schema", "urn:li:container:db");
    for (urn, name) in [(schema, "public"), (db, "warehouse")] {
        put(
            &app,
            "container",
            urn,
            "containerProperties",
            json!({"name": name}),
        )
        .await;
    }
    put(
        &app,
        "container",
        schema,
        "container",
        json!({"container": db}),
    )
    .await;
    put(
        &app,
        "container",
        schema,
        "globalTags",
        json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
    )
    .await;
    put(
        &app,
        "container",
        schema,
        "ownership",
        json!({"owners": [{"owner": "urn:li:corpuser:jdoe", "type": "DATAOWNER"}]}),
    )
    .await;
    put(
        &app,
        "container",
        schema,
        "domains",
        json!({"domains": ["urn:li:domain:growth"]}),
    )
    .await;
    put(
        &app,
        "dataset",
        ORDERS,
        "container",
        json!({"container": schema}),
    )
    .await;
    let data = app
        .data(&format!(
            r#"{{ dataset(urn: "{ORDERS}") {{
                container {{ urn properties {{ name }}
                  tags {{ tags {{ tag {{ urn }} }} }}
                  ownership {{ owners {{ owner {{ ... on CorpUser {{ urn }} }} }} }}
                  domain {{ domain {{ urn }} }}
                  glossaryTerms {{ terms {{ term {{ urn }} }} }}
                  container {{ urn }} }}
                parentContainers {{ count containers {{ urn }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["dataset"],
        json!({
            "container": {"urn": schema, "properties": {"name": "public"},
                          "tags": {"tags": [{"tag": {"urn": "urn:li:tag:pii"}}]},
                          "ownership": {"owners": [{"owner": {"urn": "urn:li:corpuser:jdoe"}}]},
                          "domain": {"domain": {"urn": "urn:li:domain:growth"}},
                          "glossaryTerms": null,
                          "container": {"urn": db}},
            "parentContainers": {"count": 2, "containers": [{"urn": schema}, {"urn": db}]}
        })
    );
}

#[tokio::test]
async fn a_document_reads_its_info_sub_type_and_governance() {
    let app = TestApp::new().await;
    let doc = "urn:li:document:churn-faq";
    put(
        &app,
        "document",
        doc,
        "documentInfo",
        json!({"title": "Churn FAQ", "contents": {"text": "Why did churn rise?"},
               "status": {"state": "PUBLISHED"},
               "created": {"time": 5, "actor": "urn:li:corpuser:jdoe"},
               "lastModified": {"time": 6, "actor": "urn:li:corpuser:jdoe"}}),
    )
    .await;
    put(
        &app,
        "document",
        doc,
        "subTypes",
        json!({"typeNames": ["FAQ"]}),
    )
    .await;
    put(
        &app,
        "document",
        doc,
        "globalTags",
        json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
    )
    .await;
    let data = app
        .data(&format!(
            r#"{{ entity(urn: "{doc}") {{ urn type ... on Document {{
                subType platform {{ urn }} info {{ title contents {{ text }} status {{ state }} source {{ sourceType }} }}
                tags {{ tags {{ tag {{ urn }} }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["entity"],
        json!({"urn": doc, "type": "DOCUMENT", "subType": "FAQ", "platform": null,
               "info": {"title": "Churn FAQ", "contents": {"text": "Why did churn rise?"},
                        "status": {"state": "PUBLISHED"}, "source": null},
               "tags": {"tags": [{"tag": {"urn": "urn:li:tag:pii"}}]}})
    );
}
