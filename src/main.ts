// First: a sign-in window landing back from Google or Slack hands its result over and closes before the app starts.
import { landedOAuthCallback } from "./auth/oauth-landing";
import { registerServiceWorker } from "./pwa/service-worker-registration";
import "./ui/tabclaw-app";

if (!landedOAuthCallback) registerServiceWorker();
