/** `heartrule schema`: prints the JSON Schema (draft 2020-12) of the script language, for editors. */
import { scriptJsonSchema } from "../../engine/script";
import type { Command } from "../main";

export const schemaCommand: Command = {
  summary: "Print the JSON Schema of the script language (for the YAML language server and other editors).",
  usage: "heartrule schema > heartrule-script.schema.json",
  async run(args) {
    if (args.length > 0) {
      console.error(`heartrule schema: takes no arguments\nusage: ${this.usage}`);
      return 1;
    }
    console.log(JSON.stringify(scriptJsonSchema(), null, 2));
    return 0;
  },
};
