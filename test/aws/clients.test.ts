import test from 'ava';
import { createServer } from 'node:net';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { AwsError } from '../../src/errors.js';
import { send } from '../../src/aws/actions.js';
import {
  awsConfig,
  ec2Client,
  endpointFor,
  resetClients,
  s3Client,
} from '../../src/aws/clients.js';

test('a service endpoint variable wins over the general one', (t) => {
  const env = {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1000',
    AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:2000',
  };
  t.is(endpointFor('ec2', env), 'http://127.0.0.1:2000');
  t.is(endpointFor('s3', env), 'http://127.0.0.1:1000');
  t.is(endpointFor('ssm', {}), undefined);
});

test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns the overrides off', (t) => {
  const env = {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1000',
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
  };
  t.is(endpointFor('ec2', env), undefined);
});

test('clients use few attempts with adaptive retry, and S3 uses path style', async (t) => {
  const config = awsConfig('eu-west-1');
  t.is(config.maxAttempts, 3);
  t.is(config.retryMode, 'adaptive');
  t.true(await s3Client('eu-west-1').config.forcePathStyle);
  t.is(ec2Client('eu-west-1'), ec2Client('eu-west-1'), 'one client per region is reused');
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

test.serial('an endpoint nobody listens on gives a one-line "cannot reach" error', async (t) => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${await closedPort()}`,
  });
  resetClients();
  try {
    const error = await t.throwsAsync(
      send(ec2Client('us-east-1'), new DescribeImagesCommand({}), { phase: 'bake' }),
      { instanceOf: AwsError },
    );
    t.is(error.code, 'ECONNREFUSED');
    t.regex(error.message, /^ec2:DescribeImages \(us-east-1\): cannot reach the endpoint/);
    t.false(error.message.includes('\n'));
  } finally {
    process.env = saved;
    resetClients();
  }
});
