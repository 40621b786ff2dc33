"""Helpers of the SDK checks: the server URL, a graph client, GraphQL through the SDK's own
`execute_graphql`, and assertions that say what differed."""

import json
import os
import sys

from datahub.ingestion.graph.client import DatahubClientConfig, DataHubGraph

GMS = os.environ.get("DATAHUB_GMS_URL", "http://localhost:8080")

FEATURE = "urn:li:mlFeature:(my-feature-table,my-feature)"
FEATURE2 = "urn:li:mlFeature:(my-feature-table,my-feature2)"
FEATURE3 = "urn:li:mlFeature:(my-feature-table,my-feature3)"
TABLE = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,my-feature-table)"
MODEL = "urn:li:mlModel:(urn:li:dataPlatform:science,my-test-model,PROD)"
SCIENCE_MODEL = "urn:li:mlModel:(urn:li:dataPlatform:science,science-model,PROD)"
GROUP = "urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)"
DATASET = "urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_deleted,PROD)"

_graph = None


def graph() -> DataHubGraph:
    global _graph
    if _graph is None:
        _graph = DataHubGraph(DatahubClientConfig(server=GMS))
    return _graph


def gql(query: str, variables=None) -> dict:
    """Runs a query with the SDK's execute_graphql, which raises on any GraphQL error."""
    return graph().execute_graphql(query, variables=variables)


def expect(what: str, got, want) -> None:
    if got != want:
        sys.exit(
            f"FAIL {what}:\n  got:  {json.dumps(got, sort_keys=True)}\n  want: {json.dumps(want, sort_keys=True)}"
        )
    print(f"ok   {what}")


def check(what: str, condition: bool, detail="") -> None:
    if not condition:
        sys.exit(f"FAIL {what} {detail}")
    print(f"ok   {what}")
