/** The script language: schema, loader, diagnostics, JSON Schema, placeholders. */
export * from "./schema";
export { load, type LoadOptions, type LoadResult, type ScriptKind } from "./load";
export { diagnosticCodes, type Diagnostic, type DiagnosticCode, type Severity } from "./diagnostics";
export { scriptJsonSchema, SCRIPT_SCHEMA_ID } from "./json-schema";
export {
  findPlaceholders,
  placeholderNames,
  renderPlaceholders,
  isVariableLike,
  SYSTEM_VARIABLES,
  type PlaceholderMatch,
  type PlaceholderLookup,
} from "./placeholders";
export { checkCondition, CONDITION_VARS, type ConditionCheck } from "./condition";
export { SkillLibrary, techniqueId, type TechniqueSource } from "./skills";
export { readInputs, type InputsCheck, type InputsOptions } from "./inputs";
