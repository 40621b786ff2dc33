"""After the tutorial's seven scripts: the tutorial's GraphQL read queries, sent through the
SDK's execute_graphql, return what the scripts wrote; UPSERT replaced whole aspects, as the
read-modify-write scripts rely on; and the relationships the aspects declare are edges."""

from common import (
    DATASET, FEATURE, FEATURE2, FEATURE3, GROUP, MODEL, SCIENCE_MODEL, TABLE, expect, gql,
)

# The tutorial's "Read MLModelGroup" query, unchanged: it reads the group the scripts created.
GROUP_QUERY = """
query {
  mlModelGroup(urn: "urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)"){
    name
    description
    platform {
      name
    }
    properties {
      description
    }
  }
}
"""
expect(
    "tutorial: Read MLModelGroup",
    gql(GROUP_QUERY),
    {
        "mlModelGroup": {
            "name": "my-model-group",
            "description": "my model group",
            "platform": {"name": "science"},
            "properties": {"description": "my model group"},
        }
    },
)

# The other three read queries of the tutorial, asked of the URNs the scripts wrote.
FEATURE_QUERY = """
query($urn: String!) {
  mlFeature(urn: $urn){
    name
    featureNamespace
    description
    properties {
      description
      dataType
      version {
        versionTag
      }
    }
  }
}
"""
expect(
    "tutorial: Read MLFeature (create_mlfeature)",
    gql(FEATURE_QUERY, {"urn": FEATURE}),
    {
        "mlFeature": {
            "name": "my-feature",
            "featureNamespace": "my-feature-table",
            "description": "my feature",
            "properties": {"description": "my feature", "dataType": "TEXT", "version": None},
        }
    },
)

TABLE_QUERY = """
query($urn: String!) {
  mlFeatureTable(urn: $urn){
    name
    description
    platform {
      name
    }
    properties {
      description
      mlFeatures {
        name
      }
    }
  }
}
"""
# add_mlfeature_to_mlfeature_table prepends my-feature2 to the current list (which already
# holds it) and upserts properties without a description: the whole aspect is replaced.
expect(
    "tutorial: Read MLFeatureTable (create + add_mlfeature_to_mlfeature_table)",
    gql(TABLE_QUERY, {"urn": TABLE}),
    {
        "mlFeatureTable": {
            "name": "my-feature-table",
            "description": None,
            "platform": {"name": "feast"},
            "properties": {
                "description": None,
                "mlFeatures": [{"name": "my-feature2"}, {"name": "my-feature"}, {"name": "my-feature2"}],
            },
        }
    },
)

MODEL_QUERY = """
query($urn: String!) {
  mlModel(urn: $urn){
    name
    description
    properties {
      description
      version
      type
      mlFeatures
      groups {
        urn
        name
      }
    }
  }
}
"""
# add_mlfeature_to_mlmodel upserts {mlFeatures, tags: []}: description and groups are gone.
expect(
    "tutorial: Read MLModel (create_mlmodel + add_mlfeature_to_mlmodel)",
    gql(MODEL_QUERY, {"urn": MODEL}),
    {
        "mlModel": {
            "name": "my-test-model",
            "description": None,
            "properties": {
                "description": None,
                "version": None,
                "type": None,
                "mlFeatures": [FEATURE3, FEATURE, FEATURE2],
                "groups": [],
            },
        }
    },
)
expect(
    "tutorial: Read MLModel (add_mlgroup_to_mlmodel on an absent model)",
    gql(MODEL_QUERY, {"urn": SCIENCE_MODEL}),
    {
        "mlModel": {
            "name": "science-model",
            "description": None,
            "properties": {
                "description": None,
                "version": None,
                "type": None,
                "mlFeatures": None,
                "groups": [{"urn": GROUP, "name": "my-model-group"}],
            },
        }
    },
)

# The relationships the aspects declared are edges, readable right away.
EDGES = """
query {
  feature: mlFeature(urn: "%s") {
    properties { sources { urn } }
    featureTables { urn }
    models { urn }
  }
  feature3: mlFeature(urn: "%s") { exists models { urn } }
  group: mlModelGroup(urn: "%s") { name }
}
""" % (FEATURE, FEATURE3, GROUP)
expect(
    "edges: DerivedFrom, Contains and Consumes",
    gql(EDGES),
    {
        "feature": {
            "properties": {"sources": [{"urn": DATASET}]},
            "featureTables": [{"urn": TABLE}],
            "models": [{"urn": MODEL}],
        },
        "feature3": {"exists": False, "models": [{"urn": MODEL}]},
        "group": {"name": "my-model-group"},
    },
)
