/**
 * Autosave of the open file to the server, about a second after the last
 * keystroke. Until the server has a text, a copy waits in localStorage under
 * the file's id, so a reload or a closed tab loses nothing: opening the file
 * again brings the copy back and saves it.
 */
import type { ValidatedFile } from "./workspace-api";

export const AUTOSAVE_DEBOUNCE_MS = 1000;

export type SaveState = "saved" | "unsaved" | "saving" | "error";

const key = (fileId: string) => `heartrule.author.unsaved.${fileId}`;

/** A text the server has not got yet, and the hash of the server's text it was typed over. */
export interface UnsavedCopy {
  text: string;
  base: string;
}

export function unsavedCopy(fileId: string): UnsavedCopy | null {
  try {
    const copy = JSON.parse(localStorage.getItem(key(fileId)) ?? "null") as UnsavedCopy | null;
    return copy && typeof copy.text === "string" ? copy : null;
  } catch {
    return null;
  }
}

export class Autosave {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | null = null;
  private pending: string | null = null;
  state: SaveState = "saved";

  constructor(
    private readonly fileId: string,
    /** The content hash of the server's text the edits started from. */
    private readonly base: () => string,
    private readonly save: (text: string) => Promise<ValidatedFile>,
    private readonly onState: (state: SaveState, detail?: { saved?: ValidatedFile; error?: unknown }) => void,
  ) {}

  get dirty(): boolean {
    return this.pending !== null || this.saving !== null;
  }

  changed(text: string): void {
    this.pending = text;
    localStorage.setItem(key(this.fileId), JSON.stringify({ text, base: this.base() } satisfies UnsavedCopy));
    this.set("unsaved");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), AUTOSAVE_DEBOUNCE_MS);
  }

  /** Saves now what is unsaved; resolves once the server has the latest text (or failed). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    while (this.saving) await this.saving;
    const text = this.pending;
    if (text === null) return;
    this.pending = null;
    this.set("saving");
    this.saving = (async () => {
      try {
        const saved = await this.save(text);
        if (this.pending === null) {
          if (unsavedCopy(this.fileId)?.text === text) localStorage.removeItem(key(this.fileId));
          this.set("saved", { saved });
        }
      } catch (error) {
        this.pending ??= text;
        this.set("error", { error });
      } finally {
        this.saving = null;
      }
    })();
    await this.saving;
    if (this.pending !== null && this.state !== "error") await this.flush();
  }

  /** Stops saving (the file was closed, deleted or replaced); what is unsaved stays in localStorage. */
  stop(): void {
    clearTimeout(this.timer);
  }

  /** Forgets the local copy: the file is gone or its text was replaced on purpose. */
  discard(): void {
    this.stop();
    this.pending = null;
    localStorage.removeItem(key(this.fileId));
  }

  private set(state: SaveState, detail?: { saved?: ValidatedFile; error?: unknown }): void {
    this.state = state;
    this.onState(state, detail);
  }
}
