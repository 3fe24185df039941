//! The demo's catalogue: what a seller of metalworking equipment offers —
//! machines, tooling, spare parts, consumables and services — with real
//! looking articles, both names, VAT rates, costs and stock.

use crate::{App, AppError, Principal};
use karta_core::products::ProductDraft;

/// Product categories: code, Russian and English label.
pub(crate) const CATEGORIES: &[(&str, &str, &str, &str)] = &[
    ("product_category", "machines", "Станки", "Machines"),
    (
        "product_category",
        "tooling",
        "Оснастка и инструмент",
        "Tooling",
    ),
    ("product_category", "spares", "Запчасти", "Spare parts"),
    (
        "product_category",
        "consumables",
        "Расходные материалы",
        "Consumables",
    ),
    ("product_category", "services", "Услуги", "Services"),
];

/// Article, Russian name, English name, category, unit, VAT %, cost and
/// list price in roubles, stock.
type Item = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i32,
    i64,
    i64,
    i64,
);

#[rustfmt::skip]
const ITEMS: &[Item] = &[
    ("ST-16K20", "Станок токарно-винторезный 16К20", "16K20 screw-cutting lathe", "machines", "pcs", 22, 1_450_000, 2_150_000, 4),
    ("ST-CNC-400", "Токарный обрабатывающий центр с ЧПУ ТЦ-400", "TC-400 CNC turning centre", "machines", "pcs", 22, 5_900_000, 8_400_000, 2),
    ("FR-6T13", "Станок консольно-фрезерный 6Т13", "6T13 knee-type milling machine", "machines", "pcs", 22, 1_980_000, 2_790_000, 3),
    ("FR-VMC-850", "Вертикально-фрезерный центр VMC-850", "VMC-850 vertical machining centre", "machines", "pcs", 22, 7_200_000, 9_950_000, 1),
    ("SV-2H135", "Станок вертикально-сверлильный 2Н135", "2N135 vertical drilling machine", "machines", "pcs", 22, 410_000, 615_000, 6),
    ("SH-3M151", "Станок круглошлифовальный 3М151", "3M151 cylindrical grinder", "machines", "pcs", 22, 2_600_000, 3_650_000, 0),
    ("LZ-FIBER-3", "Установка лазерной резки 3 кВт", "3 kW fibre laser cutter", "machines", "pcs", 22, 9_800_000, 13_900_000, 1),
    ("PAT-250", "Патрон токарный трёхкулачковый 250 мм", "250 mm three-jaw lathe chuck", "tooling", "pcs", 22, 18_500, 27_900, 40),
    ("TIS-200", "Тиски станочные поворотные 200 мм", "200 mm swivel machine vice", "tooling", "pcs", 22, 21_000, 32_500, 25),
    ("FRZ-D20-4Z", "Фреза концевая твердосплавная D20 4Z", "D20 4-flute carbide end mill", "tooling", "pcs", 22, 3_100, 4_850, 300),
    ("PLS-CNMG12", "Пластина твердосплавная CNMG 120408", "CNMG 120408 carbide insert", "tooling", "pack", 22, 2_400, 3_900, 520),
    ("SVR-HSS-SET", "Набор свёрл HSS 1–13 мм", "HSS drill set 1–13 mm", "tooling", "set", 22, 2_900, 4_600, 85),
    ("VNT-16K20", "Винт ходовой 16К20", "16K20 lead screw", "spares", "pcs", 22, 24_000, 38_000, 7),
    ("SHP-6T13", "Шпиндель в сборе 6Т13", "6T13 spindle assembly", "spares", "pcs", 22, 160_000, 245_000, 2),
    ("PDSH-7212", "Подшипник шпиндельный 7212", "7212 spindle bearing", "spares", "pcs", 22, 6_800, 10_400, 60),
    ("RMN-B1250", "Ремень приводной B-1250", "B-1250 drive belt", "spares", "pcs", 22, 650, 1_090, 150),
    ("SOZH-EMUL-20", "СОЖ эмульсионная, канистра 20 л", "Emulsion coolant, 20 l can", "consumables", "pcs", 22, 5_200, 7_900, 90),
    ("MSL-IND-45", "Масло индустриальное И-40А", "I-40A industrial oil", "consumables", "l", 22, 180, 290, 2_000),
    ("KRG-125", "Круг шлифовальный 125×22", "125×22 grinding wheel", "consumables", "pcs", 22, 210, 360, 1_200),
    ("SRV-PNR", "Пусконаладочные работы", "Installation and commissioning", "services", "service", 22, 60_000, 120_000, 0),
    ("SRV-TO-YEAR", "Годовое сервисное обслуживание станка", "Annual machine maintenance", "services", "service", 22, 90_000, 180_000, 0),
    ("SRV-HOUR", "Выезд инженера, час работы", "Field engineer, per hour", "services", "h", 22, 2_000, 4_500, 0),
    ("TRN-CNC", "Обучение оператора станка с ЧПУ", "CNC operator training", "services", "service", 0, 20_000, 45_000, 0),
    ("ST-1K62-OLD", "Станок токарный 1К62 (снят с производства)", "1K62 lathe (discontinued)", "machines", "pcs", 22, 900_000, 1_200_000, 0),
];

/// The catalogue as drafts; the discontinued lathe is withdrawn from sale.
pub(crate) fn drafts() -> impl Iterator<Item = ProductDraft> {
    ITEMS.iter().enumerate().map(
        |(i, (sku, ru, en, category, unit, vat, cost, price, stock))| ProductDraft {
            sku: Some(sku.to_string()),
            name: Some(ru.to_string()),
            name_en: Some(en.to_string()),
            description: None,
            category: Some(category.to_string()),
            unit: Some(unit.to_string()),
            vat_rate: Some(*vat),
            cost_price_minor: Some(cost * 100),
            list_price_minor: Some(price * 100),
            currency: Some("RUB".into()),
            stock_quantity: Some(*stock),
            active: Some(i + 1 != ITEMS.len()),
        },
    )
}

/// Loads the catalogue.
pub(super) async fn load(app: &App, admin: &Principal) -> Result<(), AppError> {
    for draft in drafts() {
        crate::products::create(app, admin, draft).await?;
    }
    Ok(())
}

/// The catalogue as loaded (it has fewer than a hundred products), for the
/// deals and the trade that sell from it.
pub(super) async fn products(
    app: &App,
    p: &Principal,
) -> Result<Vec<karta_db::entities::product::Model>, AppError> {
    Ok(
        crate::products::list(app, p, Default::default(), Default::default(), None, 100)
            .await?
            .items,
    )
}
