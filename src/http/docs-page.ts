/**
 * `/docs`: the interactive API reference, rendered by Scalar's standalone
 * browser build (@scalar/api-reference, pinned in package.json). The viewer is
 * a static asset of this Worker, copied into public/ by scripts/build-web.mjs,
 * so the page loads nothing from anywhere but its own origin and works offline.
 */

/** Where scripts/build-web.mjs puts the viewer (keep the two in step). */
export const DOCS_VIEWER_SCRIPT = "/assets/docs/scalar.js";

/**
 * Scalar options. Off: its web fonts (fonts.scalar.com), telemetry, the
 * "Ask AI" agent and the developer tools (both send the document to Scalar's
 * services). No `proxyUrl` is set, so "Try it" calls this origin directly.
 */
const viewerConfiguration = {
  url: "/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: "never",
};

const attribute = (value: string) => value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

// The configuration travels in data attributes of an inert JSON script (Scalar's
// HTML API), so the page has no inline script and its policy needs no 'unsafe-inline' for scripts.
export const docsPageHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>HeartRule API</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  </head>
  <body>
    <script id="api-reference" type="application/json" data-configuration="${attribute(JSON.stringify(viewerConfiguration))}"></script>
    <script src="${DOCS_VIEWER_SCRIPT}"></script>
  </body>
</html>
`;

/**
 * Everything from this origin, nothing from elsewhere. Styles may be inline:
 * the viewer injects its stylesheet and theme as <style> elements at run time.
 * Images may be data: or blob: URLs (icons, downloaded examples).
 */
export const docsContentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};
