// esbuild (scripts/build-web.mjs) bundles .yaml files as text, the way wrangler does for the Worker.
declare module "*.yaml" {
  const text: string;
  export default text;
}
declare module "*.css";
