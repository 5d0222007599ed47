// Types for the TypeScript scripts that share scripts/wrangler-args.mjs (plain JavaScript).
export const wranglerBin: string;
export function sharedFlags(args: string[]): string[];
export function wranglerSync(args: string[], options?: import("node:child_process").SpawnSyncOptions): void;
export function wranglerForeground(args: string[]): void;
export function wranglerStep(args: string[], options?: { dryRun?: boolean; quiet?: boolean; env?: Record<string, string> }): string;
