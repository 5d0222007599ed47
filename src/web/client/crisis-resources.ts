/**
 * The crisis lines a client shows for a session's language: the server's
 * (its configured table or the defaults), asked once per language and kept
 * in memory; when the server cannot be reached, the same built-in defaults
 * the server falls back to. Shared by the page and `heartrule chat`.
 */
import { crisisResourcesFor } from "../../engine/safety/crisis-lines";
import type { CrisisResource } from "../../engine/safety/resources";
import type { Api } from "./api";

export interface CrisisLines {
  resources: CrisisResource[];
  /** False when the server did not answer and the built-in defaults are shown. */
  fromServer: boolean;
}

const asked = new Map<string, Promise<CrisisLines>>();

export function crisisLinesFor(api: Api, locale: string): Promise<CrisisLines> {
  const key = `${api.baseUrl} ${locale}`;
  let lines = asked.get(key);
  if (!lines) {
    lines = api.crisisResources(locale).then(
      ({ resources }) => ({ resources, fromServer: true }),
      () => {
        // Not kept: the next crisis asks the server again.
        asked.delete(key);
        return { resources: crisisResourcesFor(locale), fromServer: false };
      },
    );
    asked.set(key, lines);
  }
  return lines;
}
