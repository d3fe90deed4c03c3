// The website widget in a real browser (Debian's chromium, driven by playwright-core) against the
// running servers. Run by tests/e2e/test_widget_browser.py, which starts the servers and passes:
//   WIDGET_URL       the widget's page, e.g. http://127.0.0.1:5005/webhooks/widget/
//   SCREENSHOT_PATH  where to save the phone-sized screenshot (default reports/widget-375.png)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium)
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const PAGE_URL = process.env.WIDGET_URL;
const SCREENSHOT = process.env.SCREENSHOT_PATH || "reports/widget-375.png";
const REPLY_MS = 60_000;
const TEST_MS = 240_000;
const PHONE = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, hasTouch: true };
const WELCOME = "not intended to diagnose";
const BONE_CANCER_ANSWER = "primary bone cancer";

assert.ok(PAGE_URL, "WIDGET_URL is not set");
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh browser profile (empty storage) on a phone-sized screen, showing the welcome. */
async function openChat() {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(String(error)));
  page.on("dialog", (dialog) => {
    page.errors.push(`dialog: ${dialog.message()}`);
    dialog.dismiss();
  });
  await page.goto(PAGE_URL);
  await botSays(page, WELCOME);
  return { context, page };
}

/** Wait for a bot bubble with this text, then for the end of the bot's turn. */
async function botSays(page, text) {
  await page.locator(".msg-bot", { hasText: text }).first().waitFor({ timeout: REPLY_MS });
  await page.locator("#chat-typing").waitFor({ state: "hidden", timeout: REPLY_MS });
}

async function say(page, text) {
  await page.fill("#chat-input", text);
  await page.press("#chat-input", "Enter");
}

const sessionId = (page) => page.evaluate(() => localStorage.getItem("mh-chat-session"));

test("a typed question gets its answer", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  await say(page, "What is bone cancer?");
  await page.locator(".msg-user", { hasText: "What is bone cancer?" }).waitFor();
  await botSays(page, BONE_CANCER_ANSWER);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("a button sends its payload and the buttons go away", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  const button = page.locator(".quick-replies button", { hasText: "What is bone cancer?" });
  await button.click();
  await page.locator(".msg-user", { hasText: "What is bone cancer?" }).waitFor();
  await botSays(page, BONE_CANCER_ANSWER);
  assert.equal(await page.locator(".quick-replies", { hasText: "What is bone cancer?" }).count(), 0);
  await context.close();
});

test("the conversation survives a page reload", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  await say(page, "What is bone cancer?");
  await botSays(page, BONE_CANCER_ANSWER);
  const before = await sessionId(page);
  assert.match(before, /^widget:[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/); // signed by the server

  await page.reload();
  await page.locator(".msg-user", { hasText: "What is bone cancer?" }).waitFor({ timeout: REPLY_MS });
  await botSays(page, BONE_CANCER_ANSWER);
  assert.equal(await sessionId(page), before);
  assert.equal(await page.locator(".msg-bot", { hasText: WELCOME }).count(), 1, "welcome once");

  // The conversation goes on in the same session after the reload. The bubbles are counted
  // before sending: a reply quicker than Playwright's next call would otherwise be counted in.
  const shown = await page.locator(".msg-bot").count();
  await say(page, "What is osteosarcoma?");
  await page.locator(".msg-user", { hasText: "What is osteosarcoma?" }).waitFor();
  await page.waitForFunction(
    (n) => document.querySelectorAll(".msg-bot").length > n,
    shown,
    { timeout: REPLY_MS }
  );
  assert.equal(await sessionId(page), before);
  await context.close();
});

test("a dropped connection reconnects to the same session", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  const before = await sessionId(page);
  // Drop the transport; a message typed now waits for the reconnection.
  await page.evaluate(() => document.getElementById("mh-chat").mhChat.socket.io.engine.close());
  await page.locator("#chat-status", { hasText: "Reconnecting" }).waitFor({ timeout: 5_000 });
  await say(page, "What is bone cancer?");
  await botSays(page, BONE_CANCER_ANSWER);
  assert.equal(await page.locator("#chat-status").textContent(), "");
  assert.equal(await sessionId(page), before);
  assert.equal(await page.locator(".msg-bot", { hasText: WELCOME }).count(), 1, "no new welcome");
  await context.close();
});

test("an emergency shows the banner with a tap-to-call link", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  // The welcome mentions 911 too, but is not an emergency reply.
  assert.equal(await page.locator(".chat-emergency.visible").count(), 0);
  await say(page, "I have crushing chest pain and I can't breathe");
  const call = page.locator('.chat-emergency.visible a[href="tel:911"]');
  await call.waitFor({ timeout: REPLY_MS });
  assert.match(await page.locator(".chat-emergency").textContent(), /call 911/i);
  assert.match(await page.locator(".msg-emergency").first().textContent(), /911/);
  assert.equal(await page.locator("#chat-emergency").getAttribute("role"), "alert");
  await context.close();
});

test("HTML in a message is shown as text, never run", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  const attack = '<img src=x onerror="window.__xss=1">';
  await say(page, attack);
  await say(page, "[tap here](javascript:window.__xss=2)");
  await page.locator(".msg-user", { hasText: "tap here" }).waitFor();
  const bubbles = page.locator(".msg-user");
  assert.equal((await bubbles.first().innerText()).replace(/^You said:\s*/, ""), attack);
  assert.equal(await page.locator("#chat-log img").count(), 0);
  assert.equal(await page.locator('#chat-log a[href^="javascript"]').count(), 0);
  // The history after a reload is rendered the same way.
  await page.reload();
  await page.locator(".msg-user", { hasText: "onerror" }).waitFor({ timeout: REPLY_MS });
  assert.equal(await page.locator("#chat-log img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("keyboard only: buttons and the input, with visible focus", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  const focused = () =>
    page.evaluate(() => ({
      id: document.activeElement.id,
      text: document.activeElement.textContent,
      outline: getComputedStyle(document.activeElement).outlineStyle,
    }));
  let active = await focused();
  for (let i = 0; i < 12 && active.text !== "What is bone cancer?"; i++) {
    await page.keyboard.press("Tab");
    active = await focused();
  }
  assert.equal(active.text, "What is bone cancer?", "a quick reply is reachable with Tab");
  assert.notEqual(active.outline, "none", "the focused button shows a focus ring");
  await page.keyboard.press("Enter");
  await botSays(page, BONE_CANCER_ANSWER);
  active = await focused();
  assert.equal(active.id, "chat-input", "focus returns to the input");
  await page.keyboard.type("What is osteosarcoma?");
  await page.keyboard.press("Enter");
  await page.locator(".msg-user", { hasText: "What is osteosarcoma?" }).waitFor();
  await context.close();
});

test("screen reader: labelled input, live log, status", { timeout: TEST_MS }, async () => {
  const { context, page } = await openChat();
  assert.equal(await page.getByLabel("Type your message").getAttribute("id"), "chat-input");
  const log = page.locator("#chat-log");
  assert.equal(await log.getAttribute("role"), "log");
  assert.equal(await log.getAttribute("aria-live"), "polite");
  assert.equal(await page.locator("#chat-status").getAttribute("role"), "status");
  assert.match(await page.locator(".msg-bot").first().innerText(), /Assistant:/);
  await context.close();
});

test("phone screenshot, same-origin requests only", { timeout: TEST_MS }, async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const origins = new Set();
  page.on("request", (request) => origins.add(new URL(request.url()).origin));
  await page.goto(PAGE_URL);
  await botSays(page, WELCOME);
  await page.locator(".quick-replies button", { hasText: "What is bone cancer?" }).click();
  await botSays(page, BONE_CANCER_ANSWER);
  await say(page, "I have crushing chest pain and I can't breathe");
  await page.locator(".chat-emergency.visible").waitFor({ timeout: REPLY_MS });
  await page.locator("#chat-typing").waitFor({ state: "hidden", timeout: REPLY_MS });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  assert.ok(overflow <= 0, `the page scrolls sideways on a phone by ${overflow}px`);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  assert.deepEqual([...origins], [new URL(PAGE_URL).origin], "no third-party requests");
  await context.close();
});
