// The first five minutes, in a real browser: log in, search a customer,
// open the card, edit a field, see the change in the timeline, log a call,
// switch language, move deals across the board (one of them to "lost", which asks
// for the reason); then import contacts from a CSV and undo it; then sell:
// deal lines, proposal, order, shipping, credit hold. Starts its own
// `karta serve --demo` on a free port.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import assert from "node:assert/strict";

const bin = process.env.KARTA_BIN ?? "../target/debug/karta";
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function startServer(dataDir, port) {
  const args = ["serve", "--demo", "--bind", `127.0.0.1:${port}`, "--data-dir", dataDir];
  if (process.env.KARTA_E2E_DATABASE_URL) args.push("--database-url", process.env.KARTA_E2E_DATABASE_URL);
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start: " + out)), 120_000);
    child.stdout.on("data", (d) => { out += d; if (out.includes("Karta is running")) { clearTimeout(timer); resolve(); } });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return child;
}

const results = { passed: 0, failed: 0 };

function launch() {
  return chromium.launch({
    executablePath: browserPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// A fresh page signed in as the head of sales, on "Today".
async function signIn(browser, base) {
  // The browser sits in Novosibirsk while the user's clock is Moscow's
  // (the company's): times must read as typed, on the user's clock.
  const page = await browser.newPage({ locale: "ru-RU", timezoneId: "Asia/Novosibirsk" });
  if (process.env.DEBUG_E2E) {
    page.on("console", (m) => console.log("console:", m.text()));
    page.on("response", (r) => { if (r.request().method() === "POST") console.log("POST", r.url(), r.status()); });
  }
  await page.goto(base + "/accounts");
  assert.match(page.url(), /\/login$/);
  await page.fill("input[name=email]", "head@demo.karta");
  await page.fill("input[name=password]", "karta-demo-2026");
  await page.click("button[type=submit]");
  // "Today" is the home page after login.
  await page.waitForURL(/\/today$/);
  return page;
}

// Waits until the board's second column holds `count` deals, `title` among
// them (the board is re-read from the server after a move).
function movedToSecond(page, title, count) {
  return page.waitForFunction(
    ([t, n]) => {
      const col = document.querySelectorAll("#board section.column")[1];
      return Number(col.querySelector(".count").textContent) === n
        && [...col.querySelectorAll("li.deal a")].some((a) => a.textContent.trim() === t);
    },
    [title, count],
  );
}

async function firstFiveMinutes(browser, base) {
  const page = await signIn(browser, base);
  assert.equal(await page.textContent("h1"), "Сегодня");
  await page.click("nav a[href='/accounts']");
  await page.waitForURL(/\/accounts$/);
  assert.equal(await page.textContent("h1"), "Контрагенты");

  // Global search with Russian morphology: "ромашки" finds «Ромашка».
  await page.keyboard.press("/");
  await page.keyboard.type("ромашки");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=/);
  const first = page.locator("section.card").first().locator("a").first();
  const name = await first.textContent();
  assert.match(name, /Ромашка/);
  await first.click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]+$/);
  assert.match(await page.textContent("h1"), /K-\d{6}/);

  // Edit a field and see it in the timeline.
  await page.click("text=Изменить");
  const note = "Позвонить в пятницу по поводу КП";
  await page.fill("#f-notes", note);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/accounts\/[0-9a-f-]+$/);
  const timeline = await page.textContent("#timeline");
  assert.ok(timeline.includes(note), "timeline shows the new note: " + timeline);
  assert.ok(timeline.includes("Ольга Смирнова"), "timeline names who changed it");

  // Log a call from the card; it joins the timeline.
  await page.selectOption("form.log select[name=kind]", "call");
  await page.selectOption("form.log select[name=direction]", "outgoing");
  await page.fill("form.log input[name=subject]", "Звонок по КП");
  await page.click("form.log button");
  // Back on the card with a success notice; the call joins the timeline.
  await page.waitForURL(/\/accounts\/[0-9a-f-]+\?done=logged/);
  assert.equal(await page.textContent("p.done"), "Записано.");
  assert.ok((await page.textContent("#timeline")).includes("Звонок по КП"), "the call is in the timeline");

  // Switch to English.
  await page.click("form.lang button[value=en]");
  await page.waitForLoadState("load");
  assert.equal(await page.textContent("header nav a[href='/accounts']"), "Accounts");
  assert.ok((await page.textContent("#timeline")).includes("changed"));
  await page.screenshot({ path: "test-results/card.png", fullPage: true });

  // The deal board: drag a deal to the next stage, then one to "Lost".
  // Wide enough for every column, so dragging never scrolls the page
  // under the pointer.
  await page.setViewportSize({ width: 2000, height: 1200 });
  await page.click("header nav a[href='/deals/board']");
  await page.waitForURL(/\/deals\/board/);
  const columns = page.locator("#board section.column");
  const card = columns.nth(0).locator("li.deal").first();
  const title = (await card.locator("a").textContent()).trim();
  const before = Number(await columns.nth(1).locator(".count").textContent());
  await card.dragTo(columns.nth(1).locator("header"));
  await movedToSecond(page, title, before + 1);
  const lost = page.locator("#board section.column[data-kind=lost]");
  const lostBefore = Number(await lost.locator(".count").textContent());
  await columns.nth(1).locator("li.deal").first().dragTo(lost.locator("header"));
  await page.waitForSelector("#loss-dialog[open]");
  // Without a reason the dialog stays open and says nothing went wrong yet.
  await page.click("#loss-dialog button[value=ok]");
  assert.equal(await page.locator("#loss-dialog[open]").count(), 1, "a loss needs its reason");
  await page.selectOption("#loss-reason", "price");
  await page.click("#loss-dialog button[value=ok]");
  await page.waitForFunction(
    (n) => Number(document.querySelector("#board section[data-kind=lost] .count").textContent) === n,
    lostBefore + 1,
  );
  await page.screenshot({ path: "test-results/board.png", fullPage: true });

  // A site visitor sends the public web form; the routing rules give a
  // machine-tool enquiry to Иван Петров.
  const sent = await page.request.post(base + "/forms/lead", {
    form: { name: "Вера Тестова", company: "ООО Проверка", email: "vera@example.ru",
      message: "Нужен станок с ЧПУ", consent: "on", website: "" },
  });
  assert.equal(sent.status(), 200);
  await page.goto(base + "/leads");
  const leadRow = page.locator("tr", { hasText: "Вера Тестова" });
  assert.ok((await leadRow.textContent()).includes("Иван Петров"), "routed to Ivan");
  await leadRow.locator("a").first().click();
  await page.waitForURL(/\/leads\/[0-9a-f-]+$/);
  await page.fill("#convert input[name=amount]", "1 200 000");
  await page.click("#convert button");
  await page.waitForURL(/\/deals\/[0-9a-f-]+$/);

  // The new deal moves across the board.
  await page.click("header nav a[href='/deals/board']");
  await page.waitForURL(/\/deals\/board/);
  await columns.nth(0).locator("li.deal", { hasText: "ООО Проверка" }).dragTo(columns.nth(1).locator("header"));
  await page.waitForFunction(() => [...document.querySelectorAll("#board section.column")[1]
    .querySelectorAll("li.deal a")].some((a) => a.textContent.includes("ООО Проверка")));
  await columns.nth(1).locator("li.deal a", { hasText: "ООО Проверка" }).click();
  await page.waitForURL(/\/deals\/[0-9a-f-]+$/);

  // A call with the next contact planned: it shows on "Today".
  const moscowToday = new Date(Date.now() + 3 * 3600e3).toISOString().slice(0, 10);
  await page.selectOption("form.log select[name=kind]", "call");
  await page.fill("form.log input[name=outcome]", "Ждут КП");
  await page.fill("form.log input[name=next_title]", "Перезвонить Вере");
  await page.fill("form.log input[name=next_due_at]", moscowToday + "T23:50");
  await page.click("form.log button");
  await page.waitForURL(/\/deals\/[0-9a-f-]+\?done=logged/);
  await page.click("header nav a[href='/today']");
  await page.waitForURL(/\/today$/);
  assert.ok((await page.textContent("#today-tasks")).includes("Перезвонить Вере"), "the next contact is on Today");
  assert.ok((await page.textContent("#today-tasks")).includes("23:50"), "at the time typed, not the browser zone: " + await page.textContent("#today-tasks"));
  await page.screenshot({ path: "test-results/today.png", fullPage: true });
}

// Importing contacts: upload a CSV, map two columns by hand, dry run,
// import, watch it finish, find an imported contact, undo.
async function importContacts(browser, base) {
  const page = await signIn(browser, base);
  page.on("dialog", (d) => d.accept());
  // The first journey left this user in English.
  await page.click("form.lang button[value=ru]");
  await page.waitForLoadState("load");
  await page.click("header nav a[href='/contacts']");
  await page.waitForURL(/\/contacts$/);
  await page.click("a[href='/imports?entity=contacts']");
  await page.waitForURL(/\/imports\?entity=contacts$/);
  const csv = "\uFEFFФИО;Электронка;Что обсуждали\n"
    + "Кузнецова Алла Игоревна;alla@import.example;Скидка на станок\n"
    + "Орлов Глеб;gleb@import.example;\n"
    + "Неверов Иван;not-an-email;Без почты\n";
  await page.setInputFiles("#upload input[type=file]",
    { name: "clients.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.click("#upload button");
  await page.waitForURL(/\/imports\/new\//);
  // ФИО is recognised; the other two columns are mapped by hand.
  assert.equal(await page.inputValue("#column-1"), "full_name");
  assert.equal(await page.inputValue("#column-2"), "");
  await page.selectOption("#column-2", "emails");
  await page.selectOption("#column-3", "notes");
  await page.selectOption("#mapping select[name=mode]", "upsert");
  await page.selectOption("#mapping select[name=key]", "emails");

  await page.click("#mapping button[value=dry_run]");
  await page.waitForSelector("#job[data-status=done]");
  assert.match(await page.textContent("#counts"), /создано 2 .* отклонено 1/);
  assert.ok((await page.textContent("#errors")).includes("not-an-email"), "the bad row is listed");
  const search = async (q) => {
    const r = await page.request.get(base + "/contacts?q=" + encodeURIComponent(q));
    return /<a href="\/contacts\/[0-9a-f-]{36}">[^<]*Кузнецова/.test(await r.text());
  };
  assert.equal(await search("Кузнецова Алла"), false, "a dry run imports nothing");

  await page.click("form.inline button[value=import]");
  await page.waitForSelector("#job[data-status=done]:not([data-dry-run])");
  assert.equal(await page.textContent("#progress"), "Обработано строк: 3");
  assert.match(await page.textContent("#counts"), /создано 2/);
  assert.equal(await search("Кузнецова Алла"), true, "the imported contact is found");
  await page.screenshot({ path: "test-results/import.png", fullPage: true });

  await page.click("form[action$='/undo'] button");
  await page.waitForSelector("#job[data-status=undone]");
  assert.match(await page.textContent("#undone"), /в корзину 2/);
  assert.equal(await search("Кузнецова Алла"), false, "undo removed it");
}

// Selling from the catalogue: products on a new customer's deal, the
// proposal as PDF, the deal won, its order confirmed and shipped with its
// tracking; then a customer in arrears is stopped at confirmation.
async function commerce(browser, base) {
  const page = await signIn(browser, base);
  page.on("dialog", (d) => d.accept());
  await page.goto(base + "/accounts/new");
  await page.fill("#f-name", "ООО «Проверка КП»");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/accounts\/[0-9a-f-]+$/);
  await page.click("a[href^='/deals/new?account=']");
  await page.fill("#f-title", "Станок для проверки");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/deals\/[0-9a-f-]+$/);
  const dealId = page.url().split("/").pop();

  // Products one per line; prices come from the catalogue, VAT per line.
  await page.fill("#deal-lines-box", "ST-16K20; 1\nSRV-PNR; 1");
  await page.click("form[action$='/lines'] button");
  await page.waitForSelector("#deal-total");
  // 2 150 000 ₽ + 120 000 ₽, with 22 % VAT.
  assert.equal((await page.textContent("#deal-total")).replace(/\s/g, " "), "2 769 400 ₽");
  const pdf = await page.request.get(base + `/api/v1/deals/${dealId}/proposal.pdf`);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.equal((await pdf.body()).subarray(0, 5).toString(), "%PDF-");

  // Won, then its order: confirmed and shipped, each step on the tracking.
  const won = (await page.textContent(".stage-path li.won")).trim();
  await page.selectOption("form[action$='/move'] select[name=stage_id]", { label: won });
  await page.click("form[action$='/move'] button");
  await page.waitForSelector("form[action$='/order'] button");
  await page.click("form[action$='/order'] button");
  await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
  assert.equal(await page.textContent("#order-status"), "Черновик");
  await page.fill("input[name=comment]", "Предоплата получена");
  await page.click("button[value=confirmed]");
  await page.waitForFunction(() => document.querySelector("#order-status").textContent === "Подтверждён");
  await page.click("button[value=shipped]");
  await page.waitForFunction(() => document.querySelector("#order-status").textContent === "Отгружен");
  const tracking = await page.textContent("#order-tracking");
  assert.ok(tracking.includes("Предоплата получена") && tracking.includes("Отгружен"), tracking);
  await page.screenshot({ path: "test-results/order.png", fullPage: true });

  // A customer with an overdue invoice: its new order is not confirmed.
  await page.goto(base + "/invoices?show=overdue");
  await page.locator("table.list tbody a").first().click();
  await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
  await page.locator("section.card dl a[href^='/accounts/']").first().click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]+$/);
  assert.ok((await page.textContent("#credit-hold")).includes("Просрочено"));
  await page.click("a[href^='/orders/new?account=']");
  await page.fill("#f-lines", "FRZ-D20-4Z; 3");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
  await page.click("button[value=confirmed]");
  await page.waitForSelector("p.error");
  assert.ok((await page.textContent("p.error")).includes("стоп-отгрузке"), "the hold is explained");
  assert.equal(await page.textContent("#order-status"), "Черновик");
  await page.screenshot({ path: "test-results/hold.png", fullPage: true });
}

// The main pages at a phone's 390×844 (touch) and a desktop's 1440×900:
// nothing is wider than the screen (checked on the page's own scroll
// width), each is saved as a screenshot; on the phone a contact's phone
// number dials, and a deal moves on the board by touch, without dragging.
async function screens(browser, base) {
  for (const [name, viewport, mobile] of [["phone", { width: 390, height: 844 }, true], ["desktop", { width: 1440, height: 900 }, false]]) {
    const context = await browser.newContext({ locale: "ru-RU", viewport, isMobile: mobile, hasTouch: mobile });
    const page = await context.newPage();
    await page.goto(base + "/login");
    await page.fill("input[name=email]", "head@demo.karta");
    await page.fill("input[name=password]", "karta-demo-2026");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/today$/);
    const firstHref = async (path, selector) => {
      await page.goto(base + path);
      return page.getAttribute(selector, "href");
    };
    const account = await firstHref("/accounts", "table.list tbody a[href^='/accounts/']");
    const contact = await firstHref("/contacts", "table.list tbody a[href^='/contacts/']");
    const deal = await firstHref("/deals", "table.list tbody a[href^='/deals/']");
    const pages = { today: "/today", accounts: "/accounts", account, contacts: "/contacts", contact, deals: "/deals",
      deal, board: "/deals/board", leads: "/leads", orders: "/orders", invoices: "/invoices", calendar: "/calendar",
      search: "/search?q=" + encodeURIComponent("ромашка"), profile: "/profile", pipelines: "/pipelines",
      control: "/control", contracts: "/contracts", products: "/products" };
    for (const [what, path] of Object.entries(pages)) {
      await page.goto(base + path);
      // The board scrolls sideways inside itself; the page must not. (A
      // phone widens its layout viewport to the content, so the screen's
      // own width is the measure, not innerWidth.)
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= viewport.width, `${name} ${what} (${path}) is ${scrollWidth} px wide on a ${viewport.width} px screen`);
      if (!mobile) {
        // On a desktop the header is one line: sections, search, language
        // and the user's name side by side.
        const header = await page.evaluate(() => {
          const top = document.querySelector("header.top").getBoundingClientRect().top;
          const me = document.querySelector("header.top a.me").getBoundingClientRect().top;
          const nav = document.querySelector("header.top nav").getBoundingClientRect().top;
          return Math.abs(me - nav) < 20 && me - top < 40;
        });
        assert.ok(header, `desktop ${what}: the user's name sits on a second header line`);
      }
      await page.screenshot({ path: `test-results/${name}-${what}.png`, fullPage: true });
    }
    // The new deal form picks the customer by name, the close date from a
    // date picker and the currency from a list: no codes to know.
    await page.goto(base + "/deals/new");
    assert.equal(await page.getAttribute("#f-expected_close", "type"), "date");
    assert.equal(await page.locator("select#f-currency option[value=RUB]").count(), 1);
    await page.fill("#f-account_code", "Ромаш");
    await page.waitForSelector("#dl-account_code option[value^='K-']", { state: "attached" });
    if (mobile) {
      await page.goto(base + contact);
      assert.ok(await page.locator("ul.reach a[href^='tel:+7']").count() > 0, "a contact's phone is a tel: link");
      await page.goto(base + "/deals/board");
      const columns = page.locator("#board section.column");
      const before = Number(await columns.nth(1).locator(".count").textContent());
      const card = columns.nth(0).locator("li.deal").first();
      const title = (await card.locator("a").textContent()).trim();
      await card.locator(".move-menu").tap();
      await page.waitForSelector("#move-dialog[open]");
      await page.selectOption("#move-stage", await columns.nth(1).getAttribute("data-stage"));
      await page.tap("#move-dialog button[value=ok]");
      await movedToSecond(page, title, before + 1);
    }
    await context.close();
  }
}

// Keys and help: a first-visit hint that stays dismissed, g+letter to a
// section, / to search, n for a new record, ? for the keys and the
// section's help, + for the quick add, whose task comes back to the page.
async function keysAndHelp(browser, base) {
  const context = await browser.newContext({ locale: "ru-RU", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + "/login");
  await page.fill("input[name=email]", "maria@demo.karta");
  await page.fill("input[name=password]", "karta-demo-2026");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/today$/);
  await page.waitForSelector("#first-visit-hint");
  assert.match(await page.textContent("#first-visit-hint"), /Здесь ваш день/);
  await page.click("#first-visit-hint button");
  await page.reload();
  assert.equal(await page.locator("#first-visit-hint").count(), 0, "the hint stays dismissed");
  await page.keyboard.press("g");
  await page.keyboard.press("a");
  await page.waitForURL(/\/accounts$/);
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "global-search");
  await page.keyboard.press("Escape");
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("?");
  await page.waitForSelector("#keys-dialog[open]");
  assert.equal(await page.getAttribute("#section-help", "href"), "/help/accounts");
  await page.click("#section-help");
  await page.waitForURL(/\/help\/accounts$/);
  assert.match(await page.textContent("#help-accounts"), /Карточка клиента/);
  await page.goto(base + "/accounts");
  await page.keyboard.press("n");
  await page.waitForURL(/\/accounts\/new$/);
  await page.goto(base + "/accounts");
  await page.keyboard.press("+");
  await page.waitForSelector("#quick-add[open]");
  await page.fill("#quick-task input[name=title]", "Позвонить в Ромашку из шапки");
  await page.fill("#quick-task input[name=due_at]", "2030-01-10T10:00");
  await page.click("#quick-task button");
  await page.waitForURL(/\/accounts$/);
  await page.goto(base + "/calendar?view=day&date=2030-01-10");
  assert.match(await page.textContent("main"), /Позвонить в Ромашку из шапки/);
  await context.close();
}

async function journey(base) {
  const browser = await launch();
  try {
    await firstFiveMinutes(browser, base);
    await importContacts(browser, base);
    await commerce(browser, base);
    await screens(browser, base);
    await keysAndHelp(browser, base);
  } finally {
    await browser.close();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "karta-e2e-"));
const port = await freePort();
const server = await startServer(dataDir, port);
try {
  await journey(`http://127.0.0.1:${port}`);
  results.passed += 1;
  console.log("ok - first five minutes: log in, Today, search, card, edit, timeline, log a call, language, deal board, web-form lead routed, converted, moved, next contact on Today; import contacts: upload, map by hand, dry run, import, undo; commerce: deal lines, proposal PDF, won, order confirmed and shipped, customer in arrears stopped; phone 390×844 and desktop 1440×900: no page wider than the screen, tel: links, a deal moved by touch; keys, help, first-visit hint and the quick add");
} catch (e) {
  results.failed += 1;
  console.error("not ok - first five minutes:", e);
} finally {
  server.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
