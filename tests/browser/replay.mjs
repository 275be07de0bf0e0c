// Opens a page of ReplayWeb.page in headless Chromium and waits until one of its frames, the
// replayed archive page, holds the expected text. Prints one JSON line: what each frame showed.
//
//   node replay.mjs PAGE_URL EXPECTED_TEXT [TIMEOUT_MS]
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM): playwright-core drives it and never
// downloads a browser of its own. The flags keep a headless Chromium from reaching for the
// network on its own (updates, sync, field trials), which a closed network refuses.
import { chromium } from "playwright-core";

const [pageUrl, expected, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg || 60000);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const result = { found: false, frames: [], console: [] };
try {
  const context = await browser.newContext();
  context.on("serviceworker", (worker) => worker.on("console", (msg) => result.console.push("sw: " + msg.text().slice(0, 300))));
  const page = await context.newPage();
  page.on("console", (msg) => result.console.push(msg.text().slice(0, 300)));
  page.on("pageerror", (err) => result.console.push("pageerror: " + String(err).slice(0, 300)));
  await page.goto(pageUrl);
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline && !result.found) {
    result.frames = [];
    for (const frame of page.frames()) {
      let text = "";
      try {
        // The replayed page sits in an iframe inside ReplayWeb.page's shadow DOM; Playwright's
        // frames reach it whatever the nesting.
        text = await frame.evaluate(() => (document.body ? document.body.innerText : ""));
      } catch (err) {
        continue; // a frame that navigated away while being read
      }
      result.frames.push({ url: frame.url(), text: text.slice(0, 4000) });
      if (text.includes(expected)) {
        result.found = true;
        result.frame = frame.url();
      }
    }
    if (!result.found) await new Promise((resolve) => setTimeout(resolve, 250));
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
