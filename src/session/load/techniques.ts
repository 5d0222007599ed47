/**
 * The project's technique files a session pinned among its texts (TECHNIQUE_TEXT names): a rebuild from D1
 * compiles the script again with them, to the same script the session started with.
 */
import type { TechniqueFile } from "../../authoring/resolve";
import { TECHNIQUE_TEXT } from "../requests";

const techniqueText = TECHNIQUE_TEXT("");

/** Whether a pinned text is a technique file (not a template nor the crisis protocol). */
export const isTechniqueText = (name: string) => name.startsWith(techniqueText);

/** The pinned technique files among the texts (name → content hash, and the texts by hash), as the compiler takes them. */
export function pinnedTechniques(names: Record<string, string>, texts: (hash: string) => string | undefined): TechniqueFile[] {
  return Object.entries(names).flatMap(([name, hash]) =>
    isTechniqueText(name) ? [{ path: name.slice(techniqueText.length), contentHash: hash, text: texts(hash) ?? "" }] : [],
  );
}
