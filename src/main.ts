import { registerServiceWorker } from "./pwa/service-worker-registration";
import "./ui/tabclaw-app";

registerServiceWorker();
