// The phase doctor sends a call under: 'doctor' where the registry declares the call so, else
// the phase amibake itself makes it in, since send() refuses a phase the registry lacks.
import { declaredAction, type Phase } from '../aws/action-registry.js';

export function sendPhaseFor(action: string): Phase {
  const row = declaredAction(action);
  if (!row) throw new Error(`${action} is not declared in src/aws/action-registry.ts`);
  return row.phases.includes('doctor') ? 'doctor' : row.phases[0];
}
