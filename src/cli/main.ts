/**
 * `heartrule <command>`: each command lives in its own module under
 * src/cli/commands and is registered here.
 */
export interface Command {
  summary: string;
  usage: string;
  /** Details printed under the usage by --help. */
  help?: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  validate: async () => (await import("./commands/validate")).validateCommand,
  schema: async () => (await import("./commands/schema")).schemaCommand,
  run: async () => (await import("./commands/run")).runCommand,
  chat: async () => (await import("./commands/chat")).chatCommand,
  test: async () => (await import("./commands/test")).testCommand,
};

function help(): string {
  const lines = Object.keys(commands).map((name) => `  ${name}`);
  return ["usage: heartrule <command> [options]", "", "commands:", ...lines, "", "heartrule <command> --help for details"].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(help());
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    console.error(`heartrule: unknown command '${name}'\n\n${help()}`);
    return 1;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`${command.summary}\n\nusage: ${command.usage}${command.help ? `\n\n${command.help}` : ""}`);
    return 0;
  }
  return command.run(rest);
}
