//! One row per URN, with the key parts parsed out so lists, filters and sorting are SQL.

use std::sync::OnceLock;

use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, DbBackend};

use super::sql::{self, Sql};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub urn: String,
    pub entity_type: String,
    pub name: String,
    /// The name in lower case (Unicode-aware; SQLite's `lower()` folds ASCII only), for
    /// case-insensitive name filters.
    pub search_name: String,
    pub platform: Option<String>,
    pub env: Option<String>,
    pub namespace: Option<String>,
    /// False for a URN that is only referenced so far (a feature's source dataset).
    pub has_aspects: bool,
    /// Mirrors the latest `status` aspect: a soft-deleted entity.
    pub removed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// `SELECT` of every column `FROM "entity" WHERE "entity"."<column>" IN (<values>)`, to be
    /// run by [`Model::fetch`]; callers may add clauses (an order, a lock).
    pub fn select_where<V: Into<Value>>(
        backend: DbBackend,
        column: Column,
        values: impl IntoIterator<Item = V>,
    ) -> Sql {
        static SELECT: OnceLock<String> = OnceLock::new();
        let select = SELECT.get_or_init(|| {
            format!(
                "SELECT {} FROM \"entity\" WHERE \"entity\".",
                sql::columns::<Column>("entity")
            )
        });
        let mut q = Sql::new(backend, select);
        q.push(&format!("\"{}\" IN ", column.as_str())).list(values);
        q
    }

    /// Runs a [`Model::select_where`] and decodes its rows.
    pub async fn fetch(db: &impl ConnectionTrait, q: Sql) -> Result<Vec<Model>, DbErr> {
        q.rows(db)
            .await?
            .iter()
            .map(|row| Model::from_row_at(row, 0))
            .collect()
    }

    /// How many columns a row has, in the order of [`Column::iter`].
    pub const WIDTH: usize = 12;

    /// Decodes the row's columns `at..at + WIDTH`, selected in the order of [`Column::iter`].
    /// Reading by position skips `FromQueryResult`'s lookup of every column by its prefixed
    /// name, which formats each name per row.
    pub fn from_row_at(row: &QueryResult, at: usize) -> Result<Model, DbErr> {
        Ok(Model {
            id: row.try_get_by_index(at)?,
            urn: row.try_get_by_index(at + 1)?,
            entity_type: row.try_get_by_index(at + 2)?,
            name: row.try_get_by_index(at + 3)?,
            search_name: row.try_get_by_index(at + 4)?,
            platform: row.try_get_by_index(at + 5)?,
            env: row.try_get_by_index(at + 6)?,
            namespace: row.try_get_by_index(at + 7)?,
            has_aspects: row.try_get_by_index(at + 8)?,
            removed: row.try_get_by_index(at + 9)?,
            created_at: row.try_get_by_index(at + 10)?,
            updated_at: row.try_get_by_index(at + 11)?,
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
