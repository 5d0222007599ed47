/**
 * Which technique a `use_skill` runs: the loader's library of the techniques
 * a script may name, the project's (given to load()) before the bundled ones.
 * A `skill` is a technique_id, or the path of a project technique file.
 */
import { bundledTechniques } from "../techniques";
import type { Language, TechniqueScript } from "./schema";

/** A technique file the caller (a project, the CLI) hands the loader, already loaded. */
export interface TechniqueSource {
  /** Where it is in the project, e.g. `techniques/socratic.yaml`: scripts may name it by this path too. */
  path?: string;
  script: TechniqueScript;
}

export function techniqueId(technique: TechniqueScript): string {
  return technique.technique?.technique_id ?? technique.topic.topic_id;
}

export class SkillLibrary {
  constructor(
    private readonly given: readonly TechniqueSource[],
    private readonly language: Language,
  ) {}

  /** Whether a technique may run in this script's language (one that declares none runs in any). */
  private speaks(t: TechniqueScript): boolean {
    const language = t.technique?.language;
    return language === undefined || language === this.language;
  }

  resolve(skill: string): TechniqueScript | undefined {
    const byPath = this.given.find((t) => t.path === skill);
    if (byPath) return byPath.script;
    const candidates = [...this.given.map((t) => t.script), ...bundledTechniques()];
    return candidates.find((t) => techniqueId(t) === skill && this.speaks(t));
  }

  /** What a script of this language may name, for "did you mean" and the list of what there is. */
  names(): string[] {
    const ids = [...this.given.map((t) => t.script), ...bundledTechniques()].filter((t) => this.speaks(t)).map(techniqueId);
    const paths = this.given.flatMap((t) => (t.path ? [t.path] : []));
    return [...new Set([...ids, ...paths])];
  }
}
