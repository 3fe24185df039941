//! Every error code a client or a page can meet, in one table: the code
//! string, the HTTP status of the answer that carries it (422 for a field
//! code inside `validation_failed`), and the English help text. The
//! problem+json `type` links to its entry in `docs/api-errors.md`
//! (`/api/errors#<code>`); tests hold the docs and both translation files
//! to this table, and `FieldError` refuses (in debug builds) a code that
//! is not in it.

macro_rules! codes {
    ($($variant:ident = $code:literal, $status:literal, $message:literal;)*) => {
        /// An error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the table's order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The stable string clients branch on.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The HTTP status of an answer with this code.
            pub fn status(self) -> u16 {
                match self {
                    $(Code::$variant => $status,)*
                }
            }

            /// English help for people (pages translate the code themselves).
            pub fn message(self) -> &'static str {
                match self {
                    $(Code::$variant => $message,)*
                }
            }

            /// The code named by `raw`.
            pub fn parse(raw: &str) -> Option<Code> {
                match raw {
                    $($code => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    Unauthenticated = "unauthenticated", 401, "Sign in or send a valid API token.";
    BadCredentials = "bad_credentials", 401, "Wrong e-mail or password.";
    Forbidden = "forbidden", 403, "You are not allowed to do this.";
    PasswordChangeRequired = "password_change_required", 403, "Your password was reset: choose a new one first.";
    NotFound = "not_found", 404, "No such record.";
    AlreadyExists = "already_exists", 409, "This value is already taken.";
    IdempotencyKeyInUse = "idempotency_key_in_use", 409, "A request with this Idempotency-Key is still running.";
    AlreadyConverted = "already_converted", 409, "The lead was already converted.";
    LeadDisqualified = "lead_disqualified", 409, "A disqualified lead is not converted.";
    ImportRunning = "import_running", 409, "The import is still running.";
    ImportUndone = "import_undone", 409, "The import was already undone.";
    ImportDryRun = "import_dry_run", 409, "A dry run changed nothing, so there is nothing to undo.";
    ImportFinished = "import_finished", 409, "The job has finished.";
    JobNotRetryable = "job_not_retryable", 409, "Only a failed, dead or cancelled background job is sent round again.";
    JobNotCancellable = "job_not_cancellable", 409, "A running or finished background job is not cancelled.";
    OrderNotConfirmed = "order_not_confirmed", 409, "Only an order confirmed or further along is invoiced.";
    OrderInvoiced = "order_invoiced", 409, "The order is invoiced in full already.";
    NotInContract = "not_in_contract", 409, "Confirming an order whose contract no longer has its products at its prices.";
    ContractNotInForce = "contract_not_in_force", 409, "Confirming an order whose contract has ended or was terminated.";
    CreditHold = "credit_hold", 409, "Confirming or shipping for an account on credit hold.";
    DealNotWon = "deal_not_won", 409, "An order is made from a deal in a won stage.";
    DealHasNoLines = "deal_has_no_lines", 409, "The deal has no products to order.";
    OrderExists = "order_exists", 409, "The deal already has a live order.";
    OrderNotDraft = "order_not_draft", 409, "An order's lines change only while it is a draft.";
    InvalidTransition = "invalid_transition", 409, "The order cannot move to that status from where it is.";
    InsufficientStock = "insufficient_stock", 409, "Confirming would hold more than is free in stock.";
    HasDocuments = "has_documents", 409, "An account with orders past draft or invoices is not deleted (purging it would take accounting records along).";
    VersionMismatch = "version_mismatch", 412, "The record was changed by someone else.";
    ValidationFailed = "validation_failed", 422, "The input is not valid.";
    PreconditionRequired = "precondition_required", 428, "Send If-Match with the version you read.";
    TooManyAttempts = "too_many_attempts", 429, "Too many attempts; try again later.";
    Internal = "internal", 500, "Something went wrong on our side.";
    Required = "required", 422, "This field is required.";
    TooLong = "too_long", 422, "This value is too long.";
    InvalidEmail = "invalid_email", 422, "Not a valid e-mail address.";
    InvalidPhone = "invalid_phone", 422, "Not a valid phone number.";
    InvalidInn = "invalid_inn", 422, "Not a valid INN: 10 or 12 digits with correct check digits.";
    InvalidKpp = "invalid_kpp", 422, "Not a valid KPP: 9 characters.";
    InvalidOgrn = "invalid_ogrn", 422, "Not a valid OGRN: 13 or 15 digits with a correct check digit.";
    InvalidBik = "invalid_bik", 422, "Not a valid BIK: 9 digits.";
    InvalidSettlementAccount = "invalid_settlement_account", 422, "Not a settlement account of this bank: 20 digits whose control key matches the BIK.";
    InvalidCorrespondentAccount = "invalid_correspondent_account", 422, "Not the correspondent account of this bank: 20 digits whose control key matches the BIK.";
    InvalidDate = "invalid_date", 422, "Not a valid date (YYYY-MM-DD).";
    InvalidChoice = "invalid_choice", 422, "Not one of the allowed values.";
    UnknownField = "unknown_field", 422, "Unknown field.";
    InvalidMergeSources = "invalid_merge_sources", 422, "Name 1 to 20 other records to merge, each once, not the surviving record itself.";
    NotInMerge = "not_in_merge", 422, "This record is not one of those being merged.";
    UnknownClassifierValue = "unknown_classifier_value", 422, "Not a value of this list.";
    NotForThisKind = "not_for_this_kind", 422, "This classifier kind has no such setting.";
    InvalidUtcOffset = "invalid_utc_offset", 422, "Write the offset from UTC like +03:00 (from -12:00 to +14:00).";
    UnknownUser = "unknown_user", 422, "No such active user.";
    UnknownTeam = "unknown_team", 422, "No such team.";
    UnknownAccount = "unknown_account", 422, "No such account.";
    CannotAssign = "cannot_assign", 422, "You may not give records to another owner or team.";
    OwnerCannotWork = "owner_cannot_work", 422, "The chosen owner's role cannot work on such records (a read-only user, an accountant for a lead).";
    FieldNotAllowed = "field_not_allowed", 422, "You may not set this field.";
    InvalidJson = "invalid_json", 422, "The request body is not valid JSON of the expected shape.";
    PasswordTooShort = "password_too_short", 422, "The password must have at least 10 characters.";
    WrongPassword = "wrong_password", 422, "This is not your current password.";
    SamePassword = "same_password", 422, "The new password must differ from the current one.";
    PasswordsDiffer = "passwords_differ", 422, "The two new passwords differ.";
    InvalidNumber = "invalid_number", 422, "Not a number.";
    InvalidMoney = "invalid_money", 422, "Not an amount of money (minor units, or text like 1 500,00).";
    InvalidCurrency = "invalid_currency", 422, "A currency is a three-letter ISO code such as RUB.";
    InvalidSku = "invalid_sku", 422, "An article has no spaces: letters, digits and signs such as - / . and _.";
    InvalidVatRate = "invalid_vat_rate", 422, "VAT is 0, 5, 7, 10, 20 or 22 percent.";
    InvalidDiscount = "invalid_discount", 422, "A discount is a percentage from 0 to 100 with at most two decimals.";
    InvalidPeriod = "invalid_period", 422, "The end date is before the start date.";
    DuplicateProduct = "duplicate_product", 422, "This product is listed twice.";
    OnePriceRequired = "one_price_required", 422, "Give either a fixed price or a discount, not both.";
    UnknownProduct = "unknown_product", 422, "No such product.";
    ProductInactive = "product_inactive", 422, "This product is withdrawn from sale.";
    CurrencyMismatch = "currency_mismatch", 422, "All lines must be in one currency.";
    BelowReserved = "below_reserved", 422, "Confirmed orders hold more than that; ship or cancel them first.";
    UnknownOrder = "unknown_order", 422, "No such order.";
    UnknownInvoice = "unknown_invoice", 422, "No such invoice.";
    ExceedsOrder = "exceeds_order", 422, "More than is left to invoice of the order.";
    ExceedsOutstanding = "exceeds_outstanding", 422, "More than the invoice still awaits.";
    NotAStatement = "not_a_statement", 422, "Not a bank statement: send the bank client's 1C exchange file (1CClientBankExchange) or a CSV with date, amount and purpose columns.";
    UnknownContract = "unknown_contract", 422, "No such contract of this account.";
    NotContractPrice = "not_contract_price", 422, "The price differs from the contract's.";
    AmountFromLines = "amount_from_lines", 422, "The amount follows the deal's lines; change the lines instead.";
    InvalidBoolean = "invalid_boolean", 422, "Not true or false.";
    InvalidText = "invalid_text", 422, "Not text.";
    InvalidCode = "invalid_code", 422, "Not a valid code: lower-case letters, digits and _.";
    InvalidScope = "invalid_scope", 422, "Not a token scope (<entity>:read, <entity>:write or lookup).";
    InvalidPassword = "invalid_password", 422, "Wrong password.";
    KppNeedsOrganisationInn = "kpp_needs_organisation_inn", 422, "A KPP needs the 10-digit INN of an organisation.";
    LostDetailsNeedLostStatus = "lost_details_need_lost_status", 422, "lost_to_id and loss_reason need status lost.";
    NameRequired = "name_required", 422, "Give a name: first or last name (for a lead, a person or a company).";
    UnknownRole = "unknown_role", 422, "No such role.";
    UnknownEntity = "unknown_entity", 422, "No such entity.";
    UnknownStatus = "unknown_status", 422, "No such status.";
    InvalidId = "invalid_id", 422, "Not an id (a UUID).";
    CannotDemoteSelf = "cannot_demote_self", 422, "You cannot take away your own administrator rights.";
    InvalidIdempotencyKey = "invalid_idempotency_key", 422, "Idempotency-Key must be 1 to 255 visible ASCII characters.";
    IdempotencyKeyReused = "idempotency_key_reused", 422, "This Idempotency-Key was already used for a different request.";
    OutOfRange = "out_of_range", 422, "The number is outside the allowed range (probability 0–100, amounts not negative, max_days 1–3650).";
    OpenStageRequired = "open_stage_required", 422, "A pipeline needs at least one open stage.";
    TerminalStagesRequired = "terminal_stages_required", 422, "A pipeline needs a won stage and a lost stage.";
    OpenAfterTerminal = "open_after_terminal", 422, "Open stages come before the won and lost stages.";
    DuplicateStage = "duplicate_stage", 422, "The same stage is listed twice.";
    UnknownStage = "unknown_stage", 422, "No such stage (in this pipeline).";
    StageHasDeals = "stage_has_deals", 422, "A stage that holds deals cannot be removed; move the deals first.";
    StageNotInPipeline = "stage_not_in_pipeline", 422, "This stage belongs to another pipeline.";
    UnknownPipeline = "unknown_pipeline", 422, "No such pipeline.";
    NoPipeline = "no_pipeline", 422, "There is no sales pipeline yet; an administrator or head of sales creates one.";
    LossReasonRequired = "loss_reason_required", 422, "A lost stage needs a loss_reason.";
    NotACompetitor = "not_a_competitor", 422, "Choose an account of type competitor.";
    UnknownContact = "unknown_contact", 422, "No such contact.";
    UnknownChecklistItem = "unknown_checklist_item", 422, "Not an action of this stage's checklist.";
    LinkRequired = "link_required", 422, "An activity needs an account_id, contact_id or deal_id.";
    DirectionOnlyForCalls = "direction_only_for_calls", 422, "Only calls have a direction.";
    InvalidDatetime = "invalid_datetime", 422, "Not an RFC 3339 date and time, e.g. 2026-11-20T10:00:00+03:00.";
    UnknownDeal = "unknown_deal", 422, "No such deal.";
    UnknownLead = "unknown_lead", 422, "No such lead.";
    ContactRequired = "contact_required", 422, "Give an e-mail or a phone number to reach the person.";
    DisqualifyReasonRequired = "disqualify_reason_required", 422, "A disqualified lead needs a disqualify_reason.";
    ConsentRequired = "consent_required", 422, "Tick the consent to the processing of personal data.";
    OneTargetRequired = "one_target_required", 422, "A rule sends leads to exactly one of target_user_id or target_team_id.";
    DuplicateAccountHidden = "duplicate_account_hidden", 422, "An account with this name, INN, e-mail or phone already exists and belongs to another team; ask a head of sales to convert the lead.";
    ConvertToQualify = "convert_to_qualify", 422, "A lead becomes qualified by converting it (POST /api/v1/leads/{id}/convert).";
    TooMany = "too_many", 422, "Too many items in one request (at most 500).";
    KeyNotForEntity = "key_not_for_entity", 422, "This key does not identify records of this kind (accounts: code, inn, external_id; contacts: email, phone, external_id).";
    KeyColumnMissing = "key_column_missing", 422, "No column is mapped to the key field.";
    NothingMapped = "nothing_mapped", 422, "Map at least one column to a field.";
    MappedTwice = "mapped_twice", 422, "Two columns are mapped to the same field.";
    UnknownColumn = "unknown_column", 422, "The file has no such column.";
    InvalidMode = "invalid_mode", 422, "The mode is create, update or upsert.";
    InvalidKey = "invalid_key", 422, "The key is code, inn, email, phone or external_id.";
    EmptyFile = "empty_file", 422, "The file is empty or has no header row.";
    UnreadableFile = "unreadable_file", 422, "The file cannot be read as CSV.";
    UnreadableWorkbook = "unreadable_workbook", 422, "The file looks like an XLSX workbook but cannot be read.";
    NoCards = "no_cards", 422, "The file holds no vCard.";
    InvalidVersion = "invalid_version", 422, "The vCard version is 4.0 or 3.0.";
    InvalidWholeNumber = "invalid_whole_number", 422, "Enter a whole number, e.g. 20 or 1,500.";
    InTrash = "in_trash", 422, "The record with this key is in the trash.";
    InvalidSort = "invalid_sort", 422, "No such sort order.";
    InvalidCursor = "invalid_cursor", 422, "Not a cursor this list gave out.";
    InvalidLimit = "invalid_limit", 422, "A page holds 1 to 200 records.";
    InvalidEtag = "invalid_etag", 422, "If-Match holds the version in quotes, as ETag gave it.";
    UnknownParameter = "unknown_parameter", 422, "This list has no such parameter.";
    InvalidEntity = "invalid_entity", 422, "No such kind of record to import.";
    UnknownKind = "unknown_kind", 422, "No such kind of background job.";
    InvalidSchedule = "invalid_schedule", 422, "Not a schedule of five cron fields.";
    Invalid = "invalid", 422, "Not readable.";
    AmbiguousAccount = "ambiguous_account", 422, "Several accounts have this name; give the INN or the customer code.";
    ColumnsChanged = "columns_changed", 422, "The file no longer fits the chosen columns (a field was removed meanwhile); start the import again.";
    KeyAmbiguous = "key_ambiguous", 422, "The key matches several records; make it unique first.";
    KeyMissing = "key_missing", 422, "The key cell is empty, so the row cannot be matched.";
    NotAllowed = "not_allowed", 422, "The record with this key is not yours to change.";
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn each_code_is_one_string_read_back_as_itself() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code:?}"
            );
            assert!((400..600).contains(&code.status()), "{code:?}");
            assert!(code.message().ends_with('.'), "{code:?}");
        }
    }
}
