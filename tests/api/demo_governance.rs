//! The demo catalog's governance, read through GraphQL as the playground and DataHub's UI read
//! it: the segmentation models' owners (users and a group, with DataHub's system ownership
//! types), tags with their colours, glossary terms under their node, the domain and what it
//! holds, links, and the older model version deprecated with a note and a decommission time.

use serde_json::{json, Value};

use crate::support::TestApp;

const V1: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)";
const V2: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)";
const DOMAIN: &str = "urn:li:domain:marketing";
/// 31 March 2027, 00:00 UTC.
const DECOMMISSION: i64 = 1_806_451_200_000;

const MODEL_GOVERNANCE: &str = r#"query($urn: String!) {
    mlModel(urn: $urn) {
        deprecation { deprecated note decommissionTime actor }
        tags { tags { tag { urn properties { name description colorHex } } } }
        ownership { owners {
            owner {
                ... on CorpUser { urn username properties { displayName email } }
                ... on CorpGroup { urn name properties { displayName } }
            }
            type
            ownershipType { urn }
        } }
        glossaryTerms { terms { term { urn properties { name definition }
            parentNodes { nodes { urn properties { name } } } } } }
        domain { domain { urn properties { name } } }
        institutionalMemory { elements { url label author { username } } }
    }
}"#;

async fn governance_of(app: &TestApp, urn: &str) -> Value {
    let answer = app.gql_vars(MODEL_GOVERNANCE, json!({ "urn": urn })).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"]["mlModel"].clone()
}

#[tokio::test]
async fn the_older_segmentation_model_is_deprecated_with_its_owners_and_links() {
    let app = TestApp::with_demo().await;
    let v1 = governance_of(&app, V1).await;
    let deprecation = &v1["deprecation"];
    assert_eq!(deprecation["deprecated"], true);
    assert!(
        deprecation["note"]
            .as_str()
            .unwrap()
            .starts_with("Replaced by Customer segmentation v2"),
        "{deprecation}"
    );
    assert_eq!(deprecation["decommissionTime"], DECOMMISSION);
    assert_eq!(deprecation["actor"], "urn:li:corpuser:maria.lopez");

    assert_eq!(
        v1["ownership"]["owners"],
        json!([
            {
                "owner": {
                    "urn": "urn:li:corpuser:maria.lopez",
                    "username": "maria.lopez",
                    "properties": {"displayName": "Maria Lopez", "email": "maria.lopez@example.com"},
                },
                "type": "TECHNICAL_OWNER",
                "ownershipType": {"urn": "urn:li:ownershipType:__system__technical_owner"},
            },
            {
                "owner": {
                    "urn": "urn:li:corpGroup:customer-analytics",
                    "name": "customer-analytics",
                    "properties": {"displayName": "Customer Analytics"},
                },
                "type": "BUSINESS_OWNER",
                "ownershipType": {"urn": "urn:li:ownershipType:__system__business_owner"},
            },
        ])
    );
    assert_eq!(v1["tags"]["tags"][0]["tag"]["urn"], "urn:li:tag:Legacy");
    let links = v1["institutionalMemory"]["elements"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0]["label"], "Model card of customer segmentation v1");
    assert_eq!(links[0]["author"]["username"], "maria.lopez");
    assert_eq!(links[1]["author"]["username"], "sam.okafor");
}

#[tokio::test]
async fn the_current_model_is_tagged_termed_and_in_the_domain_and_not_deprecated() {
    let app = TestApp::with_demo().await;
    let v2 = governance_of(&app, V2).await;
    assert_eq!(v2["deprecation"], Value::Null, "only v1 is deprecated");
    assert_eq!(
        v2["tags"]["tags"],
        json!([{"tag": {"urn": "urn:li:tag:Production", "properties": {
            "name": "Production", "description": "Serves live traffic", "colorHex": "#16a34a",
        }}}])
    );
    let term = &v2["glossaryTerms"]["terms"][0]["term"];
    assert_eq!(
        term["urn"],
        "urn:li:glossaryTerm:CustomerAnalytics.CustomerSegment"
    );
    assert_eq!(term["properties"]["name"], "Customer segment");
    assert!(!term["properties"]["definition"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(
        term["parentNodes"]["nodes"],
        json!([{"urn": "urn:li:glossaryNode:CustomerAnalytics",
                "properties": {"name": "Customer analytics"}}])
    );
    assert_eq!(
        v2["domain"]["domain"],
        json!({"urn": DOMAIN, "properties": {"name": "Marketing"}})
    );
}

#[tokio::test]
async fn the_domain_holds_the_pipelines_ml_assets_and_owners_are_described() {
    let app = TestApp::with_demo().await;
    let data = app
        .data(
            r#"{
                domain(urn: "urn:li:domain:marketing") {
                    properties { name description }
                    entities(input: { count: 50 }) { total searchResults { entity { urn type } } }
                }
                deployment: mlModelDeployment(urn: "urn:li:mlModelDeployment:(urn:li:dataPlatform:snowflake,customer_segmentation_service,PROD)") {
                    tags { tags { tag { urn } } }
                    ownership { owners { owner { ... on CorpUser { username properties { displayName title } } } } }
                }
                key: mlPrimaryKey(urn: "urn:li:mlPrimaryKey:(uc01_preprocess,O_CUSTOMER_SK)") {
                    tags { tags { tag { urn properties { colorHex } } } }
                }
                feature: mlFeature(urn: "urn:li:mlFeature:(uc01_preprocess,RETURN_RATIO)") {
                    glossaryTerms { terms { term { urn } } }
                }
                scienceModel: mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)") {
                    tags { tags { tag { urn } } } ownership { owners { type } } domain { domain { urn } }
                    deprecation { deprecated }
                }
            }"#,
        )
        .await;
    assert_eq!(data["domain"]["properties"]["name"], "Marketing");
    let types: Vec<&str> = data["domain"]["entities"]["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(data["domain"]["entities"]["total"], 7, "{types:?}");
    for kind in [
        "MLMODEL",
        "MLMODEL_GROUP",
        "MLFEATURE_TABLE",
        "MLFEATURE",
        "MLPRIMARY_KEY",
    ] {
        assert!(types.contains(&kind), "{kind} in {types:?}");
    }
    assert_eq!(
        data["deployment"]["tags"]["tags"],
        json!([{"tag": {"urn": "urn:li:tag:Production"}}])
    );
    assert_eq!(
        data["deployment"]["ownership"]["owners"],
        json!([{"owner": {"username": "sam.okafor", "properties": {
            "displayName": "Sam Okafor", "title": "Machine Learning Engineer",
        }}}])
    );
    assert_eq!(
        data["key"]["tags"]["tags"],
        json!([{"tag": {"urn": "urn:li:tag:PII", "properties": {"colorHex": "#dc2626"}}}])
    );
    assert_eq!(
        data["feature"]["glossaryTerms"]["terms"],
        json!([{"term": {"urn": "urn:li:glossaryTerm:CustomerAnalytics.ReturnRate"}}])
    );
    // The tutorial's entities answer as the tutorial documents them: no governance.
    assert_eq!(
        data["scienceModel"],
        json!({"tags": null, "ownership": null, "domain": null, "deprecation": null})
    );
}

#[tokio::test]
async fn an_edit_to_the_demos_governance_survives_loading_the_demo_again() {
    let app = TestApp::with_demo().await;
    let answer = app
        .gql_vars(
            r#"mutation($urn: String!) {
                updateDeprecation(input: { urn: $urn, deprecated: false })
            }"#,
            json!({ "urn": V1 }),
        )
        .await;
    assert_eq!(answer["data"]["updateDeprecation"], true, "{answer:#}");
    let changed = mlcat::demo::load(&app.catalog()).await.unwrap();
    assert_eq!(changed, 0);
    let v1 = governance_of(&app, V1).await;
    assert_eq!(v1["deprecation"]["deprecated"], false);
}
