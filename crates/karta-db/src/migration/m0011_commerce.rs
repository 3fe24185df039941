//! Commerce: the product catalogue (articles unique across live and trashed
//! products, so restoring one never collides) and price lists with their
//! product prices, the priced lines of deals, and orders with their lines
//! and tracking events, invoices, payments and releases of credit holds,
//! and contracts with their products and prices.

use super::col::*;
use super::m0001_initial::{fk, index, live_index, record_columns, trash_index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_commerce"
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
            // Held by confirmed orders until they ship or are cancelled.
            .col(
                ColumnDef::new("reserved_quantity")
                    .big_integer()
                    .not_null()
                    .default(0),
            )
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
        trash_index(m, "products").await?;

        let mut lists = Table::create();
        lists
            .table("price_lists")
            .col(id("id"))
            .col(text("name"))
            .col(text("currency"))
            .col(text("scope"))
            .col(text_null("scope_value"))
            .col(text_null("valid_from"))
            .col(text_null("valid_to"))
            .col(ColumnDef::new("discount_bp").big_integer().null())
            .col(boolean("active"));
        record_columns(&mut lists);
        m.create_table(lists.take()).await?;
        live_index(m, "price_lists", "price_lists_live_name", "name, id").await?;
        // Finding the lists for a buyer: by scope and its value.
        live_index(
            m,
            "price_lists",
            "price_lists_live_scope",
            "scope, scope_value",
        )
        .await?;
        trash_index(m, "price_lists").await?;
        m.create_table(
            Table::create()
                .table("price_list_items")
                .col(uuid("price_list_id"))
                .col(uuid("product_id"))
                .col(ColumnDef::new("price_minor").big_integer().null())
                .col(ColumnDef::new("discount_bp").big_integer().null())
                .primary_key(Index::create().col("price_list_id").col("product_id"))
                .foreign_key(&mut fk("price_list_items", "price_list_id", "price_lists"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "price_list_items",
            "price_list_items_product",
            &["product_id"],
        ))
        .await?;

        let mut lines = Table::create();
        lines
            .table("deal_lines")
            .col(id("id"))
            .col(uuid("deal_id"))
            .col(int("position"))
            .foreign_key(&mut fk("deal_lines", "deal_id", "deals"));
        line_columns(&mut lines);
        m.create_table(lines.take()).await?;
        m.create_index(index(
            "deal_lines",
            "deal_lines_deal",
            &["deal_id", "position"],
        ))
        .await?;
        m.create_index(index("deal_lines", "deal_lines_product", &["product_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("deal_documents")
                .col(id("id"))
                .col(uuid("deal_id"))
                .col(text("kind"))
                .col(ColumnDef::new("number").big_integer().not_null())
                .col(text("lang"))
                .col(text("file_name"))
                .col(ColumnDef::new("content").binary().not_null())
                .col(micros("created_at"))
                .col(uuid_null("created_by"))
                .foreign_key(&mut fk("deal_documents", "deal_id", "deals"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "deal_documents",
            "deal_documents_deal",
            &["deal_id", "kind", "created_at"],
        ))
        .await?;
        m.get_connection()
            .execute_unprepared("INSERT INTO counters (name, value) VALUES ('proposal_number', 0)")
            .await?;
        create_orders(m).await?;
        create_invoices(m).await?;
        create_contracts(m).await
    }
}

/// What every document line keeps: the product as it was (article, name,
/// unit), the quantity, the price and where it came from, and the money.
pub(super) fn line_columns(t: &mut TableCreateStatement) {
    t.col(uuid("product_id"))
        .col(text("sku"))
        .col(text("name"))
        .col(text("unit"))
        .col(ColumnDef::new("quantity").big_integer().not_null())
        .col(ColumnDef::new("list_price_minor").big_integer().not_null())
        .col(ColumnDef::new("unit_price_minor").big_integer().not_null())
        .col(ColumnDef::new("discount_bp").big_integer().not_null())
        .col(int("vat_rate"))
        .col(ColumnDef::new("net_minor").big_integer().not_null())
        .col(ColumnDef::new("vat_minor").big_integer().not_null())
        .col(ColumnDef::new("gross_minor").big_integer().not_null())
        .col(text("currency"))
        .col(uuid_null("price_list_id"))
        .col(text("price_rule"));
}

async fn create_orders(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut orders = Table::create();
    orders
        .table("orders")
        .col(id("id"))
        .col(ColumnDef::new("number").big_integer().not_null())
        .col(uuid("account_id"))
        .col(uuid_null("contract_id"))
        // Why the order departs from its contract, when it does.
        .col(text_null("contract_override"))
        .col(uuid_null("deal_id"))
        .col(text("status"))
        .col(micros("status_at"))
        .col(text_null("payment_method"))
        .col(text_null("delivery_address"))
        .col(text_null("comment"))
        .col(text("currency"))
        .col(ColumnDef::new("net_minor").big_integer().not_null())
        .col(ColumnDef::new("vat_minor").big_integer().not_null())
        .col(ColumnDef::new("gross_minor").big_integer().not_null())
        .foreign_key(&mut fk("orders", "account_id", "accounts"));
    record_columns(&mut orders);
    m.create_table(orders.take()).await?;
    let conn = m.get_connection();
    conn.execute_unprepared("CREATE UNIQUE INDEX orders_number ON orders (number)")
        .await?;
    for (name, cols) in [
        ("orders_live_created", "created_at, id"),
        ("orders_live_account", "account_id, created_at, id"),
        ("orders_live_status", "status, created_at, id"),
        ("orders_live_owner", "owner_id, created_at, id"),
        ("orders_live_team", "team_id, created_at, id"),
        ("orders_live_deal", "deal_id"),
    ] {
        live_index(m, "orders", name, cols).await?;
    }
    trash_index(m, "orders").await?;
    conn.execute_unprepared("INSERT INTO counters (name, value) VALUES ('order_number', 0)")
        .await?;

    let mut lines = Table::create();
    lines
        .table("order_lines")
        .col(id("id"))
        .col(uuid("order_id"))
        .col(int("position"))
        .foreign_key(&mut fk("order_lines", "order_id", "orders"));
    line_columns(&mut lines);
    m.create_table(lines.take()).await?;
    m.create_index(index(
        "order_lines",
        "order_lines_order",
        &["order_id", "position"],
    ))
    .await?;
    m.create_index(index("order_lines", "order_lines_product", &["product_id"]))
        .await?;

    m.create_table(
        Table::create()
            .table("order_events")
            .col(id("id"))
            .col(uuid("order_id"))
            .col(micros("at"))
            .col(uuid_null("user_id"))
            .col(text("channel"))
            .col(text_null("from_status"))
            .col(text("to_status"))
            .col(text_null("comment"))
            .foreign_key(&mut fk("order_events", "order_id", "orders"))
            .take(),
    )
    .await?;
    m.create_index(index(
        "order_events",
        "order_events_order",
        &["order_id", "at"],
    ))
    .await
}

async fn create_invoices(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut invoices = Table::create();
    invoices
        .table("invoices")
        .col(id("id"))
        .col(ColumnDef::new("number").big_integer().not_null())
        .col(uuid("order_id"))
        .col(uuid("account_id"))
        .col(text("issued_on"))
        .col(text("due_on"))
        .col(text("currency"))
        .col(ColumnDef::new("amount_minor").big_integer().not_null())
        .col(ColumnDef::new("paid_minor").big_integer().not_null())
        .col(text("status"))
        .foreign_key(&mut fk("invoices", "order_id", "orders"))
        .foreign_key(&mut fk("invoices", "account_id", "accounts"));
    record_columns(&mut invoices);
    m.create_table(invoices.take()).await?;
    let conn = m.get_connection();
    conn.execute_unprepared("CREATE UNIQUE INDEX invoices_number ON invoices (number)")
        .await?;
    for (name, cols) in [
        ("invoices_live_created", "created_at, id"),
        ("invoices_live_account", "account_id, status, due_on"),
        ("invoices_live_order", "order_id"),
        // The overdue ones across all accounts: open, by due date.
        ("invoices_live_due", "status, due_on, id"),
        ("invoices_live_issued", "issued_on, id"),
        ("invoices_live_owner", "owner_id, created_at, id"),
        ("invoices_live_team", "team_id, created_at, id"),
    ] {
        live_index(m, "invoices", name, cols).await?;
    }
    trash_index(m, "invoices").await?;
    conn.execute_unprepared("INSERT INTO counters (name, value) VALUES ('invoice_number', 0)")
        .await?;

    let mut payments = Table::create();
    payments
        .table("payments")
        .col(id("id"))
        .col(uuid("invoice_id"))
        .col(uuid("account_id"))
        .col(ColumnDef::new("amount_minor").big_integer().not_null())
        .col(text("paid_on"))
        .col(text_null("method"))
        .col(text_null("reference"))
        .foreign_key(&mut fk("payments", "invoice_id", "invoices"))
        .foreign_key(&mut fk("payments", "account_id", "accounts"));
    record_columns(&mut payments);
    m.create_table(payments.take()).await?;
    for (name, cols) in [
        ("payments_live_paid", "paid_on, id"),
        ("payments_live_invoice", "invoice_id, paid_on"),
        ("payments_live_account", "account_id, paid_on, id"),
        ("payments_live_owner", "owner_id, paid_on, id"),
        ("payments_live_team", "team_id, paid_on, id"),
    ] {
        live_index(m, "payments", name, cols).await?;
    }
    trash_index(m, "payments").await?;

    m.create_table(
        Table::create()
            .table("hold_releases")
            .col(id("id"))
            .col(uuid("account_id"))
            .col(text("until"))
            .col(text("comment"))
            .col(uuid_null("user_id"))
            .col(micros("at"))
            .foreign_key(&mut fk("hold_releases", "account_id", "accounts"))
            .take(),
    )
    .await?;
    m.create_index(index(
        "hold_releases",
        "hold_releases_account",
        &["account_id", "until"],
    ))
    .await
}

async fn create_contracts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut contracts = Table::create();
    contracts
        .table("contracts")
        .col(id("id"))
        .col(uuid("account_id"))
        .col(text("number"))
        .col(text_null("signed_on"))
        .col(text("valid_from"))
        .col(text_null("valid_to"))
        .col(text("status"))
        .col(int("payment_days"))
        .col(ColumnDef::new("credit_limit_minor").big_integer().null())
        .col(text_null("payment_method"))
        .col(text("currency"))
        .foreign_key(&mut fk("contracts", "account_id", "accounts"));
    record_columns(&mut contracts);
    m.create_table(contracts.take()).await?;
    for (name, cols) in [
        ("contracts_live_account", "account_id, status, valid_from"),
        ("contracts_live_created", "created_at, id"),
        ("contracts_live_owner", "owner_id, created_at, id"),
        ("contracts_live_team", "team_id, created_at, id"),
    ] {
        live_index(m, "contracts", name, cols).await?;
    }
    trash_index(m, "contracts").await?;
    m.create_table(
        Table::create()
            .table("contract_items")
            .col(uuid("contract_id"))
            .col(uuid("product_id"))
            .col(ColumnDef::new("price_minor").big_integer().not_null())
            .primary_key(Index::create().col("contract_id").col("product_id"))
            .foreign_key(&mut fk("contract_items", "contract_id", "contracts"))
            .take(),
    )
    .await
}
