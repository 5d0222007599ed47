export * from "./meta";
export * from "./projects";
