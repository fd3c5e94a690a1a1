// IAM action names as the registry knows them: what each registry row needs granted, and a
// check that a name is well formed and declared, so no policy can carry an unknown action.
import { ACTIONS, type ActionInfo, type Phase } from '../aws/action-registry.js';

const ACTION_NAME = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;

/** The IAM action a row needs granted, or undefined when no policy governs it. */
export function permissionOf(row: ActionInfo): string | undefined {
  if (row.permission === null) return undefined;
  return row.permission ?? row.action;
}

/** Every name the registry lets a policy grant: each row's action or its permission. */
export function knownPermissions(): Set<string> {
  const names = new Set<string>();
  for (const row of ACTIONS) {
    const permission = permissionOf(row);
    if (permission) names.add(permission);
  }
  return names;
}

/** Throws unless `name` looks like service:Operation and the registry declares it. */
export function assertKnownAction(name: string): void {
  if (!ACTION_NAME.test(name)) {
    throw new Error(`"${name}" is not an IAM action name of the form service:Operation`);
  }
  if (!knownPermissions().has(name)) {
    throw new Error(`${name} is not declared in src/aws/action-registry.ts`);
  }
}

/** The registry rows a phase needs granted (rows no policy governs are left out). */
export function rowsOf(phase: Phase): ActionInfo[] {
  return ACTIONS.filter((row) => row.phases.includes(phase) && permissionOf(row) !== undefined);
}

/** Sorted, without duplicates; every name checked against the registry. */
export function actionList(names: Iterable<string>): string[] {
  const unique = [...new Set(names)].sort();
  for (const name of unique) assertKnownAction(name);
  return unique;
}
