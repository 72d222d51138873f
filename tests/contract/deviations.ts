// The explicit exception table of the contract suite. Every entry mirrors a section of
// docs/spec-deviations.md (same id); a test checks that the two stay in sync. The client allows a
// validation problem only when an entry here matches it exactly (operation, kind, status, and for
// schema problems the failing JSON path and keyword).
export type DeviationKind =
  | "no-spec-operation"     // emulator route with no operation in any spec file
  | "fallback-spec"         // operation missing from the YAML files, validated against saas-rest-merged-2025-01-17.json
  | "undocumented-status"   // the emulator answers a status the spec does not list for the operation
  | "response-schema"       // response body differs from the documented schema
  | "request-schema";       // a documented request (docs/tutorial) that the spec schema rejects

export interface Deviation {
  id: string;
  kind: DeviationKind;
  /** opKey form: "METHOD /api/v1/path/{}" (params anonymous). */
  ops: string[];
  status?: number;
  /** For schema kinds: ajv error instancePath (regex) and keyword that are tolerated. */
  instancePath?: RegExp;
  keyword?: string;
  reason: string;
  source: string;
}

const MERGED = "saas-rest-merged-2025-01-17.json";

export const DEVIATIONS: Deviation[] = [
  {
    id: "EMU-ADMIN", kind: "no-spec-operation",
    ops: ["GET /_emulator/info", "GET /_emulator/requests", "DELETE /_emulator/requests", "GET /_emulator/faults",
      "POST /_emulator/faults", "DELETE /_emulator/faults", "GET /_emulator/state", "POST /_emulator/rate-limits/reset",
      "POST /_emulator/clock/advance"],
    reason: "Emulator-only admin endpoints (127.0.0.1/localhost, no Qlik auth); not part of Qlik Cloud.",
    source: "emulator/ARCHITECTURE.md (Admin endpoints)",
  },
  {
    id: "SPEC-OAUTH-TOKEN", kind: "fallback-spec", ops: ["POST /oauth/token"],
    reason: "No YAML file describes POST /oauth/token (the OAuth Tokens file covers only /api/v1/oauth-tokens).",
    source: `${MERGED} (/oauth/token); qlik-openapi/README.md "Gaps and caveats"`,
  },
  {
    id: "SPEC-JWT-SESSION", kind: "fallback-spec", ops: ["POST /login/jwt-session"],
    reason: "The Login YAML covers only GET /login (interactive redirect), not the JWT session exchange.",
    source: `${MERGED} (/login/jwt-session); qlik-openapi/README.md "Gaps and caveats"`,
  },
  {
    id: "SPEC-GROUP-SETTINGS", kind: "fallback-spec", ops: ["GET /api/v1/groups/settings", "PATCH /api/v1/groups/settings"],
    reason: "The Groups YAML lacks /groups/settings, which the configure-a-tenant tutorial uses.",
    source: `${MERGED} (/v1/groups/settings); qlik.dev configure-a-tenant`,
  },
  {
    id: "SPEC-SPACE-ASSIGNMENTS", kind: "fallback-spec",
    ops: ["GET /api/v1/spaces/{}/assignments", "POST /api/v1/spaces/{}/assignments", "GET /api/v1/spaces/{}/assignments/{}",
      "PUT /api/v1/spaces/{}/assignments/{}", "DELETE /api/v1/spaces/{}/assignments/{}"],
    reason: "The Spaces YAML holds only /spaces, /spaces/{spaceId} and /spaces/types; assignments are missing.",
    source: `${MERGED} (/v1/spaces/{spaceId}/assignments...); qlik.dev configure-a-tenant / deploy-content`,
  },
];

export function deviationsFor(kind: DeviationKind, op: string, status?: number): Deviation[] {
  return DEVIATIONS.filter((d) => d.kind === kind && (d.ops.includes(op) || d.ops.includes("*"))
    && (d.status === undefined || status === undefined || d.status === status));
}
