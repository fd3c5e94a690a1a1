// Test helper: a tiny AWS stand-in on 127.0.0.1 that answers STS GetCallerIdentity and EC2
// DescribeRegions / DescribeImages and carries out every call even when DryRun is set, the
// way an incomplete emulator might. It records each action asked for; anything else is 500.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IgnoringEndpoint {
  endpoint: string;
  actions: string[];
  stop(): Promise<void>;
}

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const ANSWERS: Record<string, string> = {
  GetCallerIdentity:
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
    '<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/stand-in</Arn>' +
    '<UserId>AIDASTANDIN</UserId><Account>111122223333</Account></GetCallerIdentityResult>' +
    '<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
  DescribeRegions:
    `<DescribeRegionsResponse xmlns="${EC2_NS}"><requestId>r2</requestId><regionInfo><item>` +
    '<regionName>us-east-1</regionName>' +
    '<regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>' +
    '</item></regionInfo></DescribeRegionsResponse>',
  DescribeImages:
    `<DescribeImagesResponse xmlns="${EC2_NS}"><requestId>r3</requestId><imagesSet/>` +
    '</DescribeImagesResponse>',
};

export async function startIgnoringEndpoint(): Promise<IgnoringEndpoint> {
  const actions: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? '?';
      actions.push(action);
      const answer = ANSWERS[action];
      response.writeHead(answer ? 200 : 500, { 'content-type': 'text/xml' });
      response.end(answer ?? '<html>not implemented</html>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    actions,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
