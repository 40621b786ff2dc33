//! The paginated lists of the query root: their input (`ListInput`) and one page of results
//! (`ListMLModelsResult` and its siblings, one generic type with a name per entity type).

use async_graphql::{InputObject, OutputType, SimpleObject};

use super::{
    Dataset, MlFeature, MlFeatureTable, MlModel, MlModelDeployment, MlModelGroup, MlPrimaryKey,
};
use crate::graphql::scalars::FabricType;

/// Filters and pagination of a list.
#[derive(InputObject, Default)]
pub struct ListInput {
    /// Index of the first result, from 0.
    #[graphql(default)]
    pub start: i32,
    /// How many results to return; at most the server's page-size cap.
    pub count: Option<i32>,
    /// Only entities on this platform: a name (`feast`) or URN (`urn:li:dataPlatform:feast`).
    pub platform: Option<String>,
    /// Only entities in this environment.
    pub origin: Option<FabricType>,
    /// Only entities whose name contains this text, ignoring case.
    pub query: Option<String>,
}

/// One page of a list.
#[derive(SimpleObject)]
#[graphql(concrete(name = "ListMLFeaturesResult", params(MlFeature)))]
#[graphql(concrete(name = "ListMLFeatureTablesResult", params(MlFeatureTable)))]
#[graphql(concrete(name = "ListMLPrimaryKeysResult", params(MlPrimaryKey)))]
#[graphql(concrete(name = "ListMLModelsResult", params(MlModel)))]
#[graphql(concrete(name = "ListMLModelGroupsResult", params(MlModelGroup)))]
#[graphql(concrete(name = "ListDatasetsResult", params(Dataset)))]
#[graphql(concrete(name = "ListMLModelDeploymentsResult", params(MlModelDeployment)))]
pub struct ListResult<T: OutputType> {
    /// Index of the first result.
    pub start: i32,
    /// How many results this page holds.
    pub count: i32,
    /// How many entities match in all.
    pub total: i32,
    /// The results, ordered by name, then URN.
    pub entities: Vec<T>,
}
