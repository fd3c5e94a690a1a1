// AWS error codes by what they mean to a user: keys that are wrong or expired, an identity
// that lacks an action, or an endpoint that cannot be reached.

const CREDENTIALS = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidToken',
  'CredentialsProviderError',
]);

const PERMISSIONS = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']);

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']);

export const isCredentialCode = (code: string | undefined): boolean => code !== undefined && CREDENTIALS.has(code);
export const isPermissionCode = (code: string | undefined): boolean => code !== undefined && PERMISSIONS.has(code);
export const isNetworkCode = (code: string | undefined): boolean => code !== undefined && NETWORK.has(code);
