/**
 * The compiled form's version. Compiled scripts are cached by content hash
 * (KV `script:<hash>`, for 30 days); bump this whenever the loader or the
 * normaliser can turn the same YAML into a different script, so the cache
 * recompiles instead of serving the old form. (Schema changes are caught
 * without a bump: the cache tag also hashes the JSON Schema.)
 */
export const COMPILED_FORMAT = 3;
