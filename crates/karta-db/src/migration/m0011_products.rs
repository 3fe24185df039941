//! The product catalogue: articles unique across live and trashed products
//! (so restoring one never collides), and the indexes the catalogue list
//! sorts and filters by.

use super::col::*;
use super::m0001_initial::{live_index, record_columns, trash_index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_products"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut products = Table::create();
        products
            .table("products")
            .col(id("id"))
            .col(text("sku"))
            .col(text("name"))
            .col(text_null("name_en"))
            .col(text_null("description"))
            .col(text_null("category"))
            .col(text("unit"))
            .col(int("vat_rate"))
            .col(ColumnDef::new("cost_price_minor").big_integer().null())
            .col(ColumnDef::new("list_price_minor").big_integer().not_null())
            .col(text("currency"))
            .col(ColumnDef::new("stock_quantity").big_integer().not_null())
            .col(boolean("active"));
        record_columns(&mut products);
        m.create_table(products.take()).await?;
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX products_sku ON products (sku)")
            .await?;
        for (name, cols) in [
            ("products_live_name", "name, id"),
            ("products_live_category", "category, name, id"),
            ("products_live_active", "active, name, id"),
            ("products_live_updated", "updated_at, id"),
            ("products_live_price", "list_price_minor, id"),
        ] {
            live_index(m, "products", name, cols).await?;
        }
        trash_index(m, "products").await
    }
}
