export * from "./meta";
export * from "./projects";
export * from "./sessions";
export * from "./plans";
export * from "./ops";
