//! Relationships derived from aspects. `source` is upstream, `destination` downstream; an edge
//! that its aspect stops declaring gets `removed_at` instead of being deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "edge")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub destination_id: i64,
    pub relation: String,
    /// The entity whose aspect declares the edge.
    pub declared_by: i64,
    pub aspect: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// How many columns a row has, in the order of [`Column::iter`].
    pub const WIDTH: usize = 8;

    /// Decodes the row's columns `at..at + WIDTH`, selected in the order of [`Column::iter`]
    /// (see `entity::Model::from_row_at`).
    pub fn from_row_at(row: &QueryResult, at: usize) -> Result<Model, DbErr> {
        Ok(Model {
            id: row.try_get_by_index(at)?,
            source_id: row.try_get_by_index(at + 1)?,
            destination_id: row.try_get_by_index(at + 2)?,
            relation: row.try_get_by_index(at + 3)?,
            declared_by: row.try_get_by_index(at + 4)?,
            aspect: row.try_get_by_index(at + 5)?,
            created_at: row.try_get_by_index(at + 6)?,
            removed_at: row.try_get_by_index(at + 7)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn the_positional_decoder_knows_every_column() {
        assert_eq!(Column::iter().count(), Model::WIDTH);
    }
}
