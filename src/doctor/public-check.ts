// Whether the account may publish public AMIs: EC2's image block-public-access state.
import { GetImageBlockPublicAccessStateCommand } from '@aws-sdk/client-ec2';
import { send } from '../aws/actions.js';
import { ec2Client } from '../aws/clients.js';
import { fail, ok, warnResult, type CheckResult } from './check-result.js';
import { codeOf, diagnose } from './diagnose.js';
import { sendPhaseFor } from './send-phase.js';

const CHECK = 'block public access';

export async function publicCheck(region: string | undefined): Promise<CheckResult> {
  const client = ec2Client(region);
  try {
    const out = await send(client, new GetImageBlockPublicAccessStateCommand({}), {
      phase: sendPhaseFor('ec2:GetImageBlockPublicAccessState'),
    });
    const state = out.ImageBlockPublicAccessState ?? 'unknown';
    if (state === 'unblocked') return ok(CHECK, 'unblocked: public AMIs can be published');
    return fail(CHECK, `${state}: publishing a public AMI will fail`,
      'aws ec2 disable-image-block-public-access in each target region, or publish privately');
  } catch (error) {
    if (codeOf(error) === 'NotSupportedByEndpoint') {
      return warnResult(CHECK, 'not supported by this endpoint, so the state is unknown',
        'publish with --assume-unblocked only if you know public sharing is allowed');
    }
    const context = { permission: 'ec2:GetImageBlockPublicAccessState', phase: 'publish' as const };
    return diagnose(CHECK, error, context);
  }
}
