/**
 * The backup file's rewrite of `wrangler d1 export` output: parents before
 * children, cycles and self-references broken on a nullable column and filled
 * in by UPDATEs after every INSERT, values kept byte for byte (quotes,
 * semicolons, commas and the export's `replace(…, char(10))` expressions).
 * The restore drill (backup-restore.test.ts) imports such a file into D1 with
 * foreign keys enforced.
 */
import { describe, expect, it } from "vitest";
import { buildBackup, checkMigrations, insertOrder, readManifest, splitStatements, type Schema } from "../../../scripts/backup-file";

// What the export writes for this project's tables (shortened): storage order, children first.
const EXPORT = [
  "PRAGMA defer_foreign_keys=TRUE;",
  `INSERT INTO "d1_migrations" ("id","name","applied_at") VALUES(1,'0000_init.sql','2026-12-02 18:46:02');`,
  `INSERT INTO "d1_migrations" ("id","name","applied_at") VALUES(2,'0001_authoring.sql','2026-12-02 18:46:03');`,
  `INSERT INTO "messages" ("id","session_id","seq","content") VALUES('m1','s1',1,replace('Hello; it''s me,\\nagain','\\n',char(10)));`,
  `INSERT INTO "project_versions" ("id","project_id","version_number","rollback_from_version_id") VALUES('v1','p1','1.0.0',NULL);`,
  `INSERT INTO "project_versions" ("id","project_id","version_number","rollback_from_version_id") VALUES('v2','p1','1.0.1','v1');`,
  `INSERT INTO "projects" ("id","status","current_version_id") VALUES('p1','published','v2');`,
  `INSERT INTO "projects" ("id","status","current_version_id") VALUES('p2','draft',NULL);`,
  `INSERT INTO "projects" ("id","status","current_version_id") VALUES('p3','archived','v9');`,
  `INSERT INTO "sessions" ("id","project_id") VALUES('s1','p1');`,
  `INSERT INTO "sqlite_sequence" ("name","seq") VALUES('d1_migrations',2);`,
].join("\n");

const SCHEMA: Schema = {
  foreignKeys: [
    { table: "messages", column: "session_id", parent: "sessions", nullable: false },
    { table: "project_versions", column: "project_id", parent: "projects", nullable: false },
    { table: "project_versions", column: "rollback_from_version_id", parent: "project_versions", nullable: true },
    { table: "projects", column: "current_version_id", parent: "project_versions", nullable: true },
  ],
  primaryKeys: { messages: ["id"], project_versions: ["id"], projects: ["id"], sessions: ["id"] },
};

const source = { env: "production", remote: true };

describe("the backup file", () => {
  const { text, manifest } = buildBackup(EXPORT, SCHEMA, source, new Date("2026-12-02T19:00:00Z"));
  const statements = splitStatements(text);
  const tableOf = (s: string) => /^(?:INSERT INTO|UPDATE) "(\w+)"/.exec(s)?.[1];

  it("puts each table after the tables it references, and fills the cycle's references in last", () => {
    const inserts = statements.filter((s) => s.startsWith("INSERT")).map(tableOf);
    expect(inserts).toEqual(["sessions", "messages", "projects", "projects", "projects", "project_versions", "project_versions"]);
    expect(statements.filter((s) => s.startsWith("UPDATE"))).toEqual([
      `UPDATE "projects" SET "current_version_id" = 'v2' WHERE "id" = 'p1'`,
      `UPDATE "projects" SET "current_version_id" = 'v9' WHERE "id" = 'p3'`,
      `UPDATE "project_versions" SET "rollback_from_version_id" = 'v1' WHERE "id" = 'v2'`,
    ]);
    expect(statements.filter((s) => s.startsWith('INSERT INTO "projects"')).every((s) => s.endsWith(",NULL)"))).toBe(true);
    expect(text).not.toMatch(/PRAGMA|d1_migrations"|sqlite_sequence/);
  });

  it("keeps values exactly as exported", () => {
    expect(statements).toContain(
      `INSERT INTO "messages" ("id","session_id","seq","content") VALUES('m1','s1',1,replace('Hello; it''s me,\\nagain','\\n',char(10)))`,
    );
  });

  it("carries a manifest: migrations, row counts and the published pointers of its own rows", () => {
    expect(readManifest(text)).toEqual(manifest);
    expect(manifest).toMatchObject({
      format: "heartrule-backup/1",
      createdAt: "2026-12-02T19:00:00.000Z",
      source,
      migrations: ["0000_init.sql", "0001_authoring.sql"],
      tables: { projects: 3, project_versions: 2, sessions: 1, messages: 1 },
    });
    expect(manifest.kv.map((e) => [e.key, JSON.parse(e.value)])).toEqual([
      ["pub:p1", { versionId: "v2", versionNumber: "1.0.1" }],
      ["pub:p2", { versionId: null, reason: "unpublished" }],
      ["pub:p3", { versionId: null, reason: "archived" }],
    ]);
    expect(new Set(manifest.kv.map((e) => e.expiration_ttl)).size).toBe(1);
  });

  it("refuses what is not a backup", () => {
    expect(() => readManifest(EXPORT)).toThrow(/no manifest/);
    expect(() => readManifest(text.replace("heartrule-backup/1", "heartrule-backup/9"))).toThrow(/format/);
  });
});

describe("insertOrder", () => {
  it("cannot order tables that reference each other only through NOT NULL columns", () => {
    const fks = [
      { table: "a", column: "b_id", parent: "b", nullable: false },
      { table: "b", column: "a_id", parent: "a", nullable: false },
    ];
    expect(() => insertOrder(["a", "b"], fks)).toThrow(/NOT NULL/);
    expect(insertOrder(["a", "b"], [fks[0]!, { ...fks[1]!, nullable: true }])).toEqual({
      order: ["b", "a"],
      deferred: [{ ...fks[1]!, nullable: true }],
    });
  });

  it("ignores references to tables the backup has no rows of", () => {
    expect(insertOrder(["messages"], SCHEMA.foreignKeys)).toEqual({ order: ["messages"], deferred: [] });
  });
});

describe("checkMigrations", () => {
  const known = ["0000_init.sql", "0001_authoring.sql", "0002_sessions.sql"];

  it("takes a backup whose migrations this checkout starts with, and names the newer ones", () => {
    expect(checkMigrations(known, known)).toEqual({ newer: [] });
    expect(checkMigrations(known.slice(0, 2), known)).toEqual({ newer: ["0002_sessions.sql"] });
  });

  it("refuses a backup taken with a migration this checkout does not have", () => {
    expect(() => checkMigrations([...known, "0003_next.sql"], known)).toThrow(/0003_next.sql.*restore from the release/);
  });
});
