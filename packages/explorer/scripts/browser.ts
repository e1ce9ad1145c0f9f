/**
 * The browser the tests drive: Debian's Chromium (`apt-get install chromium`; .ci/run installs it), started
 * headless by playwright-core, which downloads no browser of its own. The flags keep Chromium off the network
 * (this machine's network is closed: without them it keeps trying to reach Google's services).
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Chromium is: $DTD_CHROMIUM, else Debian's /usr/bin/chromium. */
export const chromiumPath = (): string => process.env["DTD_CHROMIUM"] ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** Starts Chromium; throws (never skips) when it is not installed, saying how to install it. */
export const launchChromium = async (): Promise<Browser> => {
  const path = chromiumPath();
  if (!existsSync(path)) throw new Error(`expected Chromium at ${path}: install Debian's package (apt-get install chromium; .ci/run does) or set DTD_CHROMIUM`);
  return chromium.launch({ executablePath: path, args: [...CHROMIUM_FLAGS] });
};
