// `{ "id": ... }` or `{ "name": ... }` references to roles and groups in users/groups bodies (assignedRoles,
// assignedGroups: qliksense-users-api-openapi.yml, qliksense-groups-api-openapi.yml): the id wins when both are given.
export function lookupRef<T>(
    ref: unknown,
    byId: (id: string) => T | undefined,
    byName: (name: string) => T | undefined,
): T | undefined {
    const r = ref && typeof ref === "object" ? (ref as { id?: unknown; name?: unknown }) : {};
    if (typeof r.id === "string") return byId(r.id);
    return typeof r.name === "string" ? byName(r.name) : undefined;
}
