/**
 * Headless Chromium for the page tests: opens pages at a phone's and a laptop's size, collects console
 * errors (a CSP violation is one), asserts no horizontal overflow and saves screenshots to a stable
 * path under the OS temp dir (printed, to be looked at).
 */
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { fontBuffer } from "../../server/pdf/font";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const SHOT_DIR = join(tmpdir(), "lianpiao-pages");
export const VIEWPORTS = { phone: { width: 390, height: 844 }, laptop: { width: 1280, height: 800 } } as const;

/**
 * The machine may have no CJK font: Chromium is given the project's own Noto Sans SC (the PDF
 * renderer's font, unpacked from its WOFF files) through a fontconfig file, so that the screenshots show the Chinese text.
 */
function fontconfig(): string {
  const dir = join(tmpdir(), "lianpiao-pages-fonts");
  mkdirSync(dir, { recursive: true });
  for (const w of ["regular", "bold"] as const) {
    const file = join(dir, `noto-sans-sc-${w}.otf`);
    if (!existsSync(file)) writeFileSync(file, fontBuffer(w));
  }
  const conf = join(dir, "fonts.conf");
  writeFileSync(
    conf,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>${dir}</dir><cachedir>${dir}/cache</cachedir></fontconfig>\n`,
  );
  return conf;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, env: { ...process.env, FONTCONFIG_FILE: fontconfig() } as Record<string, string> });
}

export interface Tab {
  page: Page;
  errors: string[];
}

/** `javaScript: false`: the page's own scripts disabled (the holder's pages must work without them). */
export async function tab(browser: Browser, size: keyof typeof VIEWPORTS, o: { javaScript?: boolean } = {}): Promise<Tab> {
  const page = await browser.newPage({ viewport: VIEWPORTS[size], javaScriptEnabled: o.javaScript ?? true });
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors };
}

/** No horizontal overflow, then a full-page screenshot under SHOT_DIR; returns its path. */
export async function fitsAndShoot(t: Tab, name: string): Promise<string> {
  const fits = await t.page.evaluate(() => {
    const g = globalThis as any;
    return { scroll: g.document.documentElement.scrollWidth as number, inner: g.innerWidth as number };
  });
  expect(fits.scroll, `${name}: scrollWidth ${fits.scroll} > innerWidth ${fits.inner}`).to.be.at.most(fits.inner);
  mkdirSync(SHOT_DIR, { recursive: true });
  const path = join(SHOT_DIR, `${name}.png`);
  await t.page.screenshot({ path, fullPage: true });
  console.log(`      screenshot: ${path}`);
  return path;
}

export const verdictOf = (p: Page) => p.locator("[data-verdict]").first();
