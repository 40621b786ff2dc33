//! Governance of a dataset's schema fields (`updateDescription`, and the tag and term
//! mutations with `subResourceType: DATASET_FIELD`), read back as the dataset's
//! `editableSchemaMetadata`; the well-known data platforms' properties; and the read-side
//! details of owners, deprecation and links in DataHub's shape.

use serde_json::json;

use crate::datahub::{ingest, proposal};
use crate::governance_create::{aspect, refused, run};
use crate::support::TestApp;

const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:snowflake,shop.orders,PROD)";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)";
const UPDATE_DESCRIPTION: &str =
    "mutation($input: DescriptionUpdateInput!) { updateDescription(input: $input) }";
const ADD_TAGS: &str = "mutation($input: AddTagsInput!) { addTags(input: $input) }";
const REMOVE_TAG: &str = "mutation($input: TagAssociationInput!) { removeTag(input: $input) }";
const ADD_TERM: &str = "mutation($input: TermAssociationInput!) { addTerm(input: $input) }";
const BATCH_ADD_TAGS: &str = "mutation($input: BatchAddTagsInput!) { batchAddTags(input: $input) }";

async fn app() -> TestApp {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "dataset",
            DATASET,
            "datasetProperties",
            json!({"name": "orders"}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"name": "churn"}),
        ),
    )
    .await;
    app
}

fn field(path: &str) -> serde_json::Value {
    json!({"resourceUrn": DATASET, "subResourceType": "DATASET_FIELD", "subResource": path})
}

#[tokio::test]
async fn a_fields_description_tags_and_terms_are_edited_and_read_back() {
    let app = app().await;
    let mut input = field("customer.email");
    input["description"] = json!("Where receipts go");
    run(&app, UPDATE_DESCRIPTION, json!({ "input": input })).await;
    let mut input = field("customer.email");
    input["tagUrns"] = json!(["urn:li:tag:pii", "urn:li:tag:gold"]);
    run(&app, ADD_TAGS, json!({ "input": input })).await;
    let mut input = field("customer.email");
    input["termUrn"] = json!("urn:li:glossaryTerm:Classification.PII");
    run(&app, ADD_TERM, json!({ "input": input })).await;
    let mut input = field("customer.email");
    input["tagUrn"] = json!("urn:li:tag:gold");
    run(&app, REMOVE_TAG, json!({ "input": input })).await;
    // Another field, through a batch that also tags the dataset itself.
    run(
        &app,
        BATCH_ADD_TAGS,
        json!({"input": {"tagUrns": ["urn:li:tag:gold"],
                         "resources": [field("total"), {"resourceUrn": DATASET}]}}),
    )
    .await;

    let stored = aspect(&app, DATASET, "editableSchemaMetadata")
        .await
        .unwrap();
    assert_eq!(
        stored["editableSchemaFieldInfo"],
        json!([
            {"fieldPath": "customer.email", "description": "Where receipts go",
             "globalTags": {"tags": [{"tag": "urn:li:tag:pii"}]},
             "glossaryTerms": {"terms": [{"urn": "urn:li:glossaryTerm:Classification.PII"}]}},
            {"fieldPath": "total", "globalTags": {"tags": [{"tag": "urn:li:tag:gold"}]}},
        ])
    );
    assert_eq!(stored["created"]["actor"], "urn:li:corpuser:anonymous");
    assert_eq!(stored["lastModified"]["actor"], "urn:li:corpuser:anonymous");
    assert_eq!(
        aspect(&app, DATASET, "globalTags").await.unwrap(),
        json!({"tags": [{"tag": "urn:li:tag:gold"}]})
    );

    let read = app
        .data(&format!(
            r#"{{ dataset(urn: "{DATASET}") {{ editableSchemaMetadata {{ editableSchemaFieldInfo {{
                fieldPath description
                tags {{ tags {{ tag {{ urn }} associatedUrn }} }}
                glossaryTerms {{ terms {{ term {{ urn }} }} }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        read["dataset"]["editableSchemaMetadata"]["editableSchemaFieldInfo"],
        json!([
            {"fieldPath": "customer.email", "description": "Where receipts go",
             "tags": {"tags": [{"tag": {"urn": "urn:li:tag:pii"}, "associatedUrn": DATASET}]},
             "glossaryTerms": {"terms": [{"term": {"urn": "urn:li:glossaryTerm:Classification.PII"}}]}},
            {"fieldPath": "total", "description": null,
             "tags": {"tags": [{"tag": {"urn": "urn:li:tag:gold"}, "associatedUrn": DATASET}]},
             "glossaryTerms": null},
        ])
    );

    // Removing a tag from a field nobody edited changes nothing.
    let mut input = field("nobody.edited");
    input["tagUrn"] = json!("urn:li:tag:pii");
    run(&app, REMOVE_TAG, json!({ "input": input })).await;
    let after = aspect(&app, DATASET, "editableSchemaMetadata")
        .await
        .unwrap();
    assert_eq!(after, stored);
}

#[tokio::test]
async fn a_sub_resource_on_an_entity_without_fields_or_half_given_is_refused() {
    let app = app().await;
    let rows = app.row_counts().await;
    let cases = [
        (
            UPDATE_DESCRIPTION,
            json!({"resourceUrn": MODEL, "subResourceType": "DATASET_FIELD", "subResource": "x",
                   "description": "d"}),
            "subResource",
            "has no schema fields",
        ),
        (
            ADD_TAGS,
            json!({"resourceUrn": MODEL, "subResourceType": "DATASET_FIELD", "subResource": "x",
                   "tagUrns": ["urn:li:tag:pii"]}),
            "subResource",
            "has no schema fields",
        ),
        (
            ADD_TAGS,
            json!({"resourceUrn": DATASET, "subResource": "x", "tagUrns": ["urn:li:tag:pii"]}),
            "subResourceType",
            "",
        ),
        (
            UPDATE_DESCRIPTION,
            json!({"resourceUrn": DATASET, "subResourceType": "DATASET_FIELD", "description": "d"}),
            "subResource",
            "",
        ),
        (
            ADD_TAGS,
            json!({"resourceUrn": DATASET, "subResourceType": "DATASET_FIELD", "subResource": " ",
                   "tagUrns": ["urn:li:tag:pii"]}),
            "subResource",
            "",
        ),
        (
            BATCH_ADD_TAGS,
            json!({"tagUrns": ["urn:li:tag:pii"],
                   "resources": [{"resourceUrn": DATASET},
                                 {"resourceUrn": MODEL, "subResourceType": "DATASET_FIELD",
                                  "subResource": "x"}]}),
            "subResource",
            "",
        ),
    ];
    for (mutation, input, field, says) in cases {
        let (code, message) = refused(&app, mutation, json!({ "input": input })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{input}: {message}");
        assert!(message.starts_with(field), "{input}: {message}");
        assert!(message.contains(says), "{input}: {message}");
    }
    assert_eq!(app.row_counts().await, rows);
    assert!(aspect(&app, DATASET, "globalTags").await.is_none());
    // An owner edit of a field is not a thing DataHub has either.
    let (code, _) = refused(
        &app,
        "mutation($input: BatchAddOwnersInput!) { batchAddOwners(input: $input) }",
        json!({"input": {"owners": [{"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER"}],
                         "resources": [field("x")]}}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

const PLATFORM: &str = r#"{ dataPlatform(urn: "URN") { name
    properties { type displayName datasetNameDelimiter logoUrl }
    info { type displayName datasetNameDelimiter logoUrl } displayName } }"#;

#[tokio::test]
async fn well_known_platforms_answer_without_ingestion_and_a_stored_aspect_wins() {
    let app = app().await;
    // Snowflake: named by the dataset's URN, nothing stored about it.
    let read = app
        .data(&PLATFORM.replace("URN", "urn:li:dataPlatform:snowflake"))
        .await;
    let snowflake = json!({"type": "RELATIONAL_DB", "displayName": "Snowflake",
        "datasetNameDelimiter": ".", "logoUrl": "assets/platforms/snowflakelogo.png"});
    assert_eq!(
        read["dataPlatform"],
        json!({"name": "snowflake", "properties": snowflake, "info": snowflake,
               "displayName": "Snowflake"})
    );
    // Through an entity's `platform` too.
    let read = app
        .data(&format!(
            r#"{{ mlModel(urn: "{MODEL}") {{ platform {{ properties {{ displayName type }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        read["mlModel"]["platform"]["properties"],
        json!({"displayName": "SageMaker", "type": "OTHERS"})
    );
    // A well-known platform no entity names yet still answers.
    let read = app
        .data(&PLATFORM.replace("URN", "urn:li:dataPlatform:feast"))
        .await;
    assert_eq!(read["dataPlatform"]["properties"]["displayName"], "Feast");
    // An unknown platform no entity names is null; one that is named has no properties.
    let read = app
        .data(&PLATFORM.replace("URN", "urn:li:dataPlatform:homegrown"))
        .await;
    assert_eq!(read["dataPlatform"], json!(null));

    // A stored aspect wins over the built-in one.
    ingest(
        &app,
        proposal(
            "dataPlatform",
            "urn:li:dataPlatform:snowflake",
            "dataPlatformInfo",
            json!({"name": "snowflake", "displayName": "Snowflake (prod)", "type": "OLAP_DATASTORE",
                   "datasetNameDelimiter": "/"}),
        ),
    )
    .await;
    let read = app
        .data(&PLATFORM.replace("URN", "urn:li:dataPlatform:snowflake"))
        .await;
    assert_eq!(
        read["dataPlatform"]["properties"],
        json!({"type": "OLAP_DATASTORE", "displayName": "Snowflake (prod)",
               "datasetNameDelimiter": "/", "logoUrl": null})
    );
}

#[tokio::test]
async fn owners_deprecation_and_links_read_in_datahubs_shape() {
    let app = app().await;
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "ownership",
            json!({"owners": [
                {"owner": "urn:li:corpuser:ana", "type": "DATA_STEWARD"},
                {"owner": "urn:li:corpGroup:ml", "type": "DEVELOPER"},
                {"owner": "urn:li:corpuser:bo", "type": "TECHNICAL_OWNER",
                 "typeUrn": "urn:li:ownershipType:reviewer"}]}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "deprecation",
            json!({"deprecated": true, "note": "use v2", "actor": "urn:li:corpuser:ana",
                   "replacement": "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn-v2,PROD)"}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlModel",
            "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn-v2,PROD)",
            "mlModelProperties",
            json!({"name": "churn v2"}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "institutionalMemory",
            json!({"elements": [
                {"url": "https://wiki/churn", "description": "Wiki",
                 "createStamp": {"time": 5, "actor": "urn:li:corpGroup:ml"},
                 "updateStamp": {"time": 9, "actor": "urn:li:corpuser:bo"}},
                {"url": "https://runbook", "description": "Runbook",
                 "createStamp": {"time": 7, "actor": "urn:li:corpuser:ana"}}]}),
        ),
    )
    .await;
    let read = app
        .data(&format!(
            r#"{{ mlModel(urn: "{MODEL}") {{
                ownership {{ owners {{ type ownershipType {{ urn }} }} }}
                deprecation {{ actor actorEntity {{ urn type }} replacement {{ urn type }} }}
                institutionalMemory {{ elements {{ url
                    author {{ urn }}
                    actor {{ ... on CorpUser {{ urn }} ... on CorpGroup {{ urn }} }}
                    created {{ time actor }} updated {{ time actor }} }} }} }} }}"#
        ))
        .await;
    let model = &read["mlModel"];
    assert_eq!(
        model["ownership"]["owners"],
        json!([
            {"type": "DATA_STEWARD", "ownershipType": {"urn": "urn:li:ownershipType:__system__data_steward"}},
            {"type": "DEVELOPER", "ownershipType": {"urn": "urn:li:ownershipType:__system__developer"}},
            {"type": "TECHNICAL_OWNER", "ownershipType": {"urn": "urn:li:ownershipType:reviewer"}},
        ])
    );
    assert_eq!(
        model["deprecation"],
        json!({"actor": "urn:li:corpuser:ana",
               "actorEntity": {"urn": "urn:li:corpuser:ana", "type": "CORP_USER"},
               "replacement": {"urn": "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn-v2,PROD)",
                               "type": "MLMODEL"}})
    );
    assert_eq!(
        model["institutionalMemory"]["elements"],
        json!([
            {"url": "https://wiki/churn", "author": {"urn": "urn:li:corpuser:unknown"},
             "actor": {"urn": "urn:li:corpGroup:ml"},
             "created": {"time": 5, "actor": "urn:li:corpGroup:ml"},
             "updated": {"time": 9, "actor": "urn:li:corpuser:bo"}},
            {"url": "https://runbook", "author": {"urn": "urn:li:corpuser:ana"},
             "actor": {"urn": "urn:li:corpuser:ana"},
             "created": {"time": 7, "actor": "urn:li:corpuser:ana"}, "updated": null},
        ])
    );
}
