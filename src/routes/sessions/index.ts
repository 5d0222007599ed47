import { createRouter } from "../../http/router";
import { createRoutes } from "./create";
import { eraseRoutes } from "./erase";
import { liveRoutes } from "./live";
import { readRoutes } from "./reads";
import { safetyReportRoutes } from "./safety-report";
import { turnRoutes } from "./turns";

/** Chat sessions: start, talk (REST, SSE, WebSocket), read, export, delete; the safety report over all of them. */
export const sessionRoutes = createRouter()
  .route("/", createRoutes)
  .route("/", turnRoutes)
  .route("/", liveRoutes)
  .route("/", readRoutes)
  .route("/", eraseRoutes)
  .route("/", safetyReportRoutes);

export const sessionTag = { name: "sessions", description: "Chat sessions: start one, talk over REST, SSE or WebSocket, read, export, delete" };
