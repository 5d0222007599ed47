// wrangler.toml's Text rule bundles imported .yaml files as their text.
declare module "*.yaml" {
  const text: string;
  export default text;
}
