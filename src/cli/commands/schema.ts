/** `heartrule schema [--test]`: prints the JSON Schema (draft 2020-12) of the script language, or of test files, for editors. */
import { testJsonSchema } from "../../authoring/testing/format";
import { scriptJsonSchema } from "../../engine/script";
import type { Command } from "../main";

export const schemaCommand: Command = {
  summary:
    "Print the JSON Schema of the script language, or with --test of conversation test files (for the YAML language server and other editors).",
  usage: "heartrule schema [--test] > heartrule-script.schema.json",
  async run(args) {
    const test = args.length === 1 && args[0] === "--test";
    if (args.length > 0 && !test) {
      console.error(`heartrule schema: takes only --test\nusage: ${this.usage}`);
      return 1;
    }
    console.log(JSON.stringify(test ? testJsonSchema() : scriptJsonSchema(), null, 2));
    return 0;
  },
};
