// The JSON Schema an image spec must satisfy, and its compiled ajv validator.
//
// Why ajv: it is the most widely used and actively maintained JSON Schema validator for
// Node, it implements standard JSON Schema (so the schema is readable without knowing our
// code), and with `allErrors` it reports every violation with an instancePath we can map
// back to a YAML line. `strict` makes ajv reject mistakes in the schema itself.
// Each pattern carries a `description` phrased to follow "expected ..."; the messages
// module shows it when the pattern fails.
import { Ajv, type ErrorObject } from 'ajv';

type Schema = Record<string, unknown>;

export const NAME_PATTERN = '^[a-z0-9][a-z0-9-]*$';

function str(pattern?: string, description?: string): Schema {
  const schema: Schema = { type: 'string', minLength: 1 };
  if (pattern) schema.pattern = pattern;
  if (description) schema.description = description;
  return schema;
}

function int(minimum: number, maximum?: number): Schema {
  return maximum === undefined
    ? { type: 'integer', minimum }
    : { type: 'integer', minimum, maximum };
}

function list(items: Schema, minItems = 0): Schema {
  return minItems > 0 ? { type: 'array', items, minItems } : { type: 'array', items };
}

function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  const schema: Schema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}

// A branch that only requires one key; ajv's strictRequired wants it declared alongside.
function has(key: string): Schema {
  return { properties: { [key]: true }, required: [key] };
}

const name = str(NAME_PATTERN, 'a name of lower-case letters, digits and "-", such as "web-1"');
const target = { type: 'string', enum: ['aws', 'local'] };
const targetList = list(target, 1);
const absolutePath = str('^/', 'an absolute path such as "/etc/motd"');
const sshUser = str('^[a-z_][a-z0-9_-]*$', 'a user name such as "admin"');
const awsAccount = str('^[0-9]{12}$', 'an AWS account id of 12 digits, as a string');
// Debian and RPM package names, optionally pinned ("pkg=1.2"); no spaces or shell characters.
const packageName = str(
  '^[A-Za-z0-9][A-Za-z0-9+._:=~-]*$',
  'a package name such as "mariadb-server"',
);

const awsBase = {
  ...object(
    {
      owners: list(
        str(
          '^([0-9]{12}|amazon|aws-marketplace|self)$',
          'an account id of 12 digits (quoted) or one of amazon, aws-marketplace, self',
        ),
        1,
      ),
      name_filter: str(),
      ssm_parameter: str('^/', 'an SSM parameter path such as "/aws/service/debian/..."'),
      virtualization: { type: 'string', enum: ['hvm', 'paravirtual'] },
      root_device: { type: 'string', enum: ['ebs', 'instance-store'] },
      distro: { type: 'string', enum: ['ubuntu', 'debian', 'amazon'] },
      availability_note: str(),
    },
    ['owners', 'virtualization', 'root_device', 'distro'],
  ),
  // The base's description names the rule the oneOf enforces (see schema-messages.ts).
  description: 'exactly one of name_filter or ssm_parameter',
  oneOf: [has('name_filter'), has('ssm_parameter')],
};

const awsTarget = object(
  {
    base: awsBase,
    instance_type: str('^[a-z][a-z0-9-]*\\.[a-z0-9]+$', 'an instance type such as "t3.micro"'),
    ssh_user: sshUser,
    volume_size: int(1, 16384),
    encrypted: { type: 'boolean' },
    packages: list(packageName),
  },
  ['base', 'instance_type'],
);

const localTarget = object(
  {
    release: str('^[a-z]+$', 'a Debian release name such as "bookworm"'),
    ssh_user: sshUser,
    memory: int(256),
    cpus: int(1, 64),
    packages: list(packageName),
  },
  ['release'],
);

const targets = {
  ...object({ aws: awsTarget, local: localTarget }),
  minProperties: 1,
  description: 'at least one target: aws or local',
};

const source = object(
  {
    name: str('^[A-Za-z0-9][A-Za-z0-9._+-]*$', 'a file name such as "app-1.2.tar.gz"'),
    url: str('^(https?|ftp)://\\S+$', 'an http(s) or ftp URL'),
    sha256: str('^[0-9a-fA-F]{64}$', 'a sha256 of 64 hexadecimal digits'),
    destination: absolutePath,
    availability_note: str(),
  },
  ['name', 'url', 'sha256'],
);

const step = object(
  {
    script: name,
    description: str(),
    vars: {
      type: 'object',
      propertyNames: str(
        '^[A-Za-z_][A-Za-z0-9_]*$',
        'a shell variable name such as "DB_NAME" (letters, digits, "_")',
      ),
      additionalProperties: { type: 'string' },
    },
    targets: targetList,
  },
  ['script'],
);

const file = object({
  destination: absolutePath,
  source: str(),
  content: { type: 'string' },
  mode: str('^[0-7]{3,4}$', 'an octal mode such as "0644"'),
  owner: str(
    '^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$',
    'an owner such as "root" or "www-data:www-data"',
  ),
  targets: targetList,
}, ['destination']);

const smokeCommon = { name, targets: targetList, timeout: int(1, 3600) };

function smoke(type: string, own: Record<string, Schema>, required: string[]): Schema {
  return object({ ...smokeCommon, ...own, type: { const: type } }, ['name', 'type', ...required]);
}

export const SMOKE_TYPES = ['sql', 'http', 'command', 'service'];

// With `discriminator`, ajv validates only the branch `type` names, so an error names that
// branch's own fields instead of "matches none of four alternatives".
const smokeTest = {
  type: 'object',
  discriminator: { propertyName: 'type' },
  oneOf: [
    smoke('sql', {
      query: str(),
      expect: { type: 'string' },
      client: { type: 'string', enum: ['mysql', 'drizzle'] },
    }, ['query', 'expect']),
    smoke('http', {
      path: str('^/', 'a path on the guest such as "/index.html"'),
      port: str('^[0-9]{1,5}$', 'a port number as a string, such as "80"'),
      status: int(100, 599),
      body_contains: str(),
    }, ['path']),
    smoke('command', {
      run: str(),
      exit_code: int(0, 255),
      output: { type: 'string' },
      output_contains: str(),
    }, ['run']),
    smoke('service', {
      unit: str('^[A-Za-z0-9@._:-]+$', 'a systemd unit such as "mariadb.service"'),
    }, ['unit']),
  ],
};

const publish = object(
  {
    public: { type: 'boolean' },
    regions: list(str('^[a-z]{2}(-[a-z]+)+-[0-9]+$', 'a region such as "us-east-1"'), 1),
    accounts: list(awsAccount),
    organizations: list(
      str(
        '^arn:aws:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$',
        'an organization ARN such as "arn:aws:organizations::123456789012:organization/o-…"',
      ),
    ),
    tags: {
      type: 'object',
      propertyNames: { type: 'string', minLength: 1, maxLength: 128 },
      additionalProperties: { type: 'string', maxLength: 256 },
    },
  },
  ['public', 'regions'],
);

const rebuild = object(
  {
    schedule: str(),
    retention: object({ keep: int(1), older_than_days: int(1) }, ['keep']),
  },
  ['schedule'],
);

export const specSchema: Schema = object(
  {
    description: str(),
    architecture: { type: 'string', enum: ['x86_64', 'i386', 'arm64'] },
    targets,
    packages: list(packageName),
    debconf: list(
      // One line: a newline would smuggle a second answer into debconf-set-selections.
      str(
        '^\\S+[ \\t]+\\S+[ \\t]+\\S+([ \\t].*)?$',
        'a debconf line "package question type value"',
      ),
    ),
    sources: list(source),
    steps: list(step),
    files: list(file),
    smoke: list(smokeTest),
    publish,
    rebuild,
  },
  ['description', 'architecture', 'targets'],
);

const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true, verbose: true });
const validate = ajv.compile(specSchema);

/** Validates a parsed spec against the schema; returns every error ajv found (empty = valid). */
export function checkSchema(data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
