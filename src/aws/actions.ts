// The only way amibake calls AWS: send() checks the call is declared for its phase in the
// action registry and turns SDK failures into one-line AwsErrors naming the call.
import { AwsError, InterruptedError } from '../errors.js';
import { debug } from '../log.js';
import { declaredAction, type Phase } from './action-registry.js';
import { isCredentialCode, isNetworkCode, isPermissionCode } from './error-codes.js';

export { ACTIONS, declaredAction, permissionsFor } from './action-registry.js';
export type { ActionInfo, ActionService, Phase, Scoping } from './action-registry.js';

/** Any SDK v3 command; its output type is read off its middleware handler. */
export interface SdkCommand {
  readonly input: object;
  resolveMiddleware(...args: never[]): unknown;
}

export type OutputOf<C> = C extends {
  resolveMiddleware(...args: never[]): (...a: never[]) => Promise<{ output: infer O }>;
}
  ? O
  : never;

export interface SdkClient {
  config: { serviceId?: string; region?: unknown };
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

export interface SendOptions {
  phase: Phase;
  abortSignal?: AbortSignal;
}


/** "ec2:DescribeImages" for a DescribeImagesCommand sent through an EC2 client. */
export function actionOf(client: SdkClient, command: SdkCommand): string {
  const service = (client.config.serviceId ?? client.constructor.name.replace(/Client$/, ''))
    .toLowerCase()
    .replace(/\s+/g, '');
  const operation = command.constructor.name.replace(/Command$/, '');
  return `${service}:${operation}`;
}

export async function send<C extends SdkCommand>(
  client: SdkClient,
  command: C,
  options: SendOptions,
): Promise<OutputOf<C>> {
  const action = actionOf(client, command);
  const declared = declaredAction(action);
  if (!declared) throw new Error(`${action} is not declared in src/aws/action-registry.ts`);
  if (!declared.phases.includes(options.phase)) {
    throw new Error(`${action} is not declared for phase ${options.phase} in the action registry`);
  }
  const region = await regionOf(client);
  debug(`aws ${action} ${region}`);
  try {
    return (await client.send(command, { abortSignal: options.abortSignal })) as OutputOf<C>;
  } catch (error) {
    if (options.abortSignal?.aborted) throw new InterruptedError(`interrupted during ${action}`);
    throw toAwsError(error, action, region);
  }
}

async function regionOf(client: SdkClient): Promise<string> {
  const region = client.config.region;
  try {
    return typeof region === 'function' ? String(await region()) : String(region ?? '');
  } catch {
    return 'no region';
  }
}

interface SdkFailure {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code of an SDK failure, or undefined when the endpoint gave none. */
export function errorCode(error: unknown): string | undefined {
  const e = (error ?? {}) as SdkFailure;
  const code = e.Code ?? e.code ?? e.name;
  return code && code !== 'Error' && code !== 'UnknownError' ? code : undefined;
}

export function toAwsError(error: unknown, action: string, region: string): AwsError {
  if (error instanceof AwsError) return error;
  const e = (error ?? {}) as SdkFailure;
  const code = errorCode(error);
  const status = e.$metadata?.httpStatusCode;
  const where = `${action} (${region})`;
  const detail = firstLine(e.message ?? String(error));
  if (code && isCredentialCode(code)) {
    return new AwsError(`AWS rejected the credentials (${code}): ${detail}`, {
      call: where, code, cause: error,
      hint: 'check AWS_PROFILE / AWS_ACCESS_KEY_ID, or renew an expired session (aws sso login)',
    });
  }
  if (code && isPermissionCode(code)) {
    return new AwsError(`this identity may not call ${action} (${code})`, {
      call: where, code, cause: error,
      hint:
        `allow ${action} for the identity amibake runs as` +
        " (amibake doctor lists each phase's actions)",
    });
  }
  if (status === 500 && !code) {
    const message = 'the endpoint does not support this call (HTTP 500 without an error code)';
    return new AwsError(message, {
      call: where, code: 'NotSupportedByEndpoint', cause: error,
      hint: 'moto and other emulators leave some EC2 calls unimplemented, and answer so too' +
        ` for a region they do not know: check the region name (${region})`,
    });
  }
  if (code === 'TimeoutError' || (code && isNetworkCode(code))) {
    const message = `cannot reach the endpoint (${code}): ${detail}`;
    const hint = `check the network, the region name (${region}) and AWS_ENDPOINT_URL if set`;
    return new AwsError(message, { call: where, code, hint, cause: error });
  }
  const label = code ?? `HTTP ${status ?? '?'}`;
  return new AwsError(`${label}: ${detail}`, { call: where, code, cause: error });
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
