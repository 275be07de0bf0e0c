// Opens pages of ReplayWeb.page in headless Chromium and waits, for each, until one of its frames
// (the replayed archive page) holds the expected text. Reads a JSON list of
// {"url": PAGE_URL, "expected": TEXT} on stdin; prints one JSON line: for each page, whether the
// text was found, in which frame, what every frame showed, and the console of page and worker.
//
//   echo '[{"url": "...", "expected": "..."}]' | node replay.mjs [TIMEOUT_MS_PER_PAGE]
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM): playwright-core drives it and never
// downloads a browser of its own. The flags keep a headless Chromium from reaching for the
// network on its own (updates, sync, field trials), which a closed network refuses.
import { chromium } from "playwright-core";

const timeout = Number(process.argv[2] || 60000);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const pages = JSON.parse(input);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  // One profile for all pages, as one reader's browser: the service worker is installed once.
  const context = await browser.newContext();
  const log = [];
  context.on("serviceworker", (worker) => worker.on("console", (msg) => log.push("sw: " + msg.text().slice(0, 300))));
  for (const { url, expected } of pages) {
    const result = { url, found: false, frames: [], console: [] };
    log.length = 0;
    const page = await context.newPage();
    page.on("console", (msg) => log.push(msg.text().slice(0, 300)));
    page.on("pageerror", (err) => log.push("pageerror: " + String(err).slice(0, 300)));
    await page.goto(url);
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
    result.console = log.slice(-40);
    results.push(result);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
