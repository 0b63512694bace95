import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startTestServer, type TestServer, type TestServerOptions } from "../../fakes/test-server";
import { launchChromium, newAppPage, type AppPage, type AppPageOptions } from "./browser";
import { requireDist } from "./dist";

export interface BrowserSuite {
  readonly server: TestServer;
  readonly browser: Browser;
  /** A fresh profile with the app open; closed after the test. */
  open(options?: AppPageOptions): Promise<AppPage>;
}

/**
 * One test server and one Chromium for a test file, a fresh browser context per test: the
 * lifecycle every browser test file shares.
 */
export function useBrowserSuite(options: {
  webgpu: boolean;
  server?: Omit<TestServerOptions, "scriptedEngine" | "distDir">;
  /** Extra set-up once the server runs (extra static routes, say). */
  afterStart?: (server: TestServer) => void;
}): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const open: AppPage[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scriptedEngine: true, distDir: requireDist(), ...options.server });
    options.afterStart?.(server);
    browser = await launchChromium({ webgpu: options.webgpu });
  });

  afterEach(async () => {
    for (const app of open.splice(0)) await app.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  return {
    get server(): TestServer {
      if (!server) throw new Error("The test server starts in beforeAll.");
      return server;
    },
    get browser(): Browser {
      if (!browser) throw new Error("Chromium starts in beforeAll.");
      return browser;
    },
    async open(appOptions?: AppPageOptions): Promise<AppPage> {
      if (!server || !browser) throw new Error("The suite starts in beforeAll.");
      const app = await newAppPage(browser, server, appOptions);
      open.push(app);
      return app;
    },
  };
}
