import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type ConsoleMessage,
  type Page,
} from "playwright-core";
import type { TestServer } from "../../fakes/test-server";

/** Debian's Chromium; Playwright cannot download its own browsers on these machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const BASE_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A software WebGPU adapter (SwiftShader) in pages and dedicated workers: no shader-f16, 1 GiB buffers. */
const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--enable-features=Vulkan"];

export interface LaunchOptions {
  /**
   * true: SwiftShader adapter. false: Chromium 156 still defines `navigator.gpu`, but
   * `requestAdapter()` resolves to null ("No available adapters."), as on a machine without a usable GPU.
   */
  webgpu: boolean;
  args?: string[];
}

function launchArgs(options: LaunchOptions): string[] {
  return [...BASE_ARGS, ...(options.webgpu ? WEBGPU_ARGS : []), ...(options.args ?? [])];
}

export function launchChromium(options: LaunchOptions): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: launchArgs(options) });
}

/**
 * A browser with an on-disk profile, for tests that close the browser and open it again (data that
 * must survive a restart). `newContext()` contexts are in-memory profiles that vanish on close.
 */
export function launchPersistentChromium(
  userDataDir: string,
  options: LaunchOptions & { contextOptions?: BrowserContextOptions },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: launchArgs(options),
    ...options.contextOptions,
  });
}

/**
 * Answers the scripted model worker's calls inside Playwright instead of over the network, so the
 * engine keeps following its script while a test has the browser offline (`context.setOffline`).
 * Playwright routes requests from dedicated workers too, offline or not.
 */
export async function routeEngineCalls(context: BrowserContext, server: TestServer): Promise<void> {
  await context.route(`${server.origin}/__test__/engine/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    const body: unknown = route.request().postDataJSON();
    await route.fulfill({ json: await server.answerEngineCall(path, body) });
  });
}

export interface AppPageOptions {
  /** Path on the test server to open; default "/". */
  path?: string;
  waitUntil?: "load" | "domcontentloaded" | "networkidle" | "commit";
  /**
   * Delete `navigator.gpu` in pages (not in workers), like a browser with no WebGPU API at all.
   * Without it, `webgpu: false` gives the API with no adapter.
   */
  hideNavigatorGpu?: boolean;
  /** Answer engine calls through Playwright (works offline); default true. See {@link routeEngineCalls}. */
  routeEngineCalls?: boolean;
  contextOptions?: BrowserContextOptions;
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** `console.error` from the page, its dedicated workers and service workers: "<source url>: <text>". */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections in the page and its workers. */
  pageErrors: string[];
  /** Throws, listing them, if any console error or page error does not match `ignore`. */
  assertNoErrors(ignore?: RegExp[]): void;
  close(): Promise<void>;
}

function sourceOf(message: ConsoleMessage): string {
  return message.worker()?.url() ?? message.page()?.url() ?? message.location().url;
}

/** Attaches error collection to a context: console errors and uncaught errors from every page and worker. */
export function collectErrors(
  context: BrowserContext,
): Pick<AppPage, "consoleErrors" | "pageErrors" | "assertNoErrors"> {
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  context.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${sourceOf(message)}: ${message.text()}`);
  });
  context.on("weberror", (error) => pageErrors.push(error.error().stack ?? error.error().message));
  return {
    consoleErrors,
    pageErrors,
    assertNoErrors(ignore: RegExp[] = []): void {
      const unexpected = [...consoleErrors, ...pageErrors].filter((text) => !ignore.some((re) => re.test(text)));
      if (unexpected.length > 0) throw new Error(`Unexpected browser errors:\n${unexpected.join("\n")}`);
    },
  };
}

/** A fresh context (empty profile: no storage, no service worker) with the app open and errors collected. */
export async function newAppPage(browser: Browser, server: TestServer, options: AppPageOptions = {}): Promise<AppPage> {
  const context = await browser.newContext({ baseURL: server.origin, ...options.contextOptions });
  const errors = collectErrors(context);
  if (options.routeEngineCalls ?? true) await routeEngineCalls(context, server);
  if (options.hideNavigatorGpu) {
    await context.addInitScript(() => {
      Reflect.deleteProperty(Navigator.prototype, "gpu");
    });
  }
  const page = await context.newPage();
  await page.goto(new URL(options.path ?? "/", server.origin).href, { waitUntil: options.waitUntil ?? "load" });
  return { context, page, ...errors, close: () => context.close() };
}

export interface ServiceWorkerWaitOptions {
  /** Also wait until the page is controlled (needs the worker to claim clients, or a reload). */
  controlled?: boolean;
  timeoutMs?: number;
}

/** Waits for an active service worker for the page's scope and returns its script URL. */
export async function waitForServiceWorker(page: Page, options: ServiceWorkerWaitOptions = {}): Promise<string> {
  const controlled = options.controlled ?? false;
  const wait = page.evaluate(async (mustControl: boolean) => {
    const registration = await navigator.serviceWorker.ready;
    if (mustControl && !navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true }),
      );
    }
    return registration.active?.scriptURL ?? "";
  }, controlled);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No ${controlled ? "controlling" : "active"} service worker within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([wait, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface QuotaOverride {
  /** Restores the default quota and lets the CDP session go. */
  release(): Promise<void>;
}

/**
 * Caps the storage quota of the page's origin (or `origin`) through CDP, for "storage full" tests.
 * The cap applies to the whole origin (pages, workers, reloads) and lasts while the CDP session
 * lives: Chromium drops it when the session detaches, so keep the handle until the test ends.
 * Writes beyond it fail with QuotaExceededError, but `navigator.storage.estimate()` still reports
 * the uncapped quota (Chromium 156).
 */
export async function setQuota(page: Page, bytes: number, origin?: string): Promise<QuotaOverride> {
  const target = origin ?? new URL(page.url()).origin;
  const session = await page.context().newCDPSession(page);
  await session.send("Storage.overrideQuotaForOrigin", { origin: target, quotaSize: bytes });
  return {
    async release(): Promise<void> {
      try {
        await session.send("Storage.overrideQuotaForOrigin", { origin: target });
        await session.detach();
      } catch {
        // The page or browser is already gone, and the override with it.
      }
    },
  };
}
