// The aws target's rendered build: amazon-ebs source, tags, regions, Packer versions.
import test from 'ava';
import { RenderError } from '../../src/errors.js';
import { renderBuild } from '../../src/render/render.js';
import { contextFor, loadFixture, packer166, packer194, tempDir } from './fixtures.js';
import { order, render, resolved } from './rendered.js';

test('aws skips local-only steps and kernel export and keeps aws-only files', async (t) => {
  const { hcl, result } = await render('lamp', 'aws');
  const names = order(hcl);
  t.false(names.includes('db-setup'));
  t.false(names.includes('boot-export'));
  t.true(names.includes('upload:2-aws_only.conf'));
  t.is(names[names.length - 1], 'cleanup');
  t.true(result.files.includes('files/2-aws_only.conf'));
  t.is(result.amiName, 'lamp-20261204t155300-ab12cd');
});

test('the amazon source filters the base, tags everything and stays private', async (t) => {
  const { hcl } = await render('lamp', 'aws');
  t.true(hcl.includes('"architecture"        = "x86_64"'));
  t.true(hcl.includes('"virtualization-type" = "hvm"'));
  t.true(hcl.includes('most_recent = true'));
  t.true(hcl.includes('  ssh_username = "ubuntu"'));
  t.true(hcl.includes('device_name           = "/dev/sda1"'));
  t.true(hcl.includes('volume_size           = 12'));
  t.true(hcl.includes('encrypted             = true'));
  t.false(hcl.includes('ami_groups'));
  t.is(hcl.match(/"amibake:base-ami"\s+= "\{\{ \.SourceAMI \}\}"/g)?.length, 3);
  t.is(hcl.match(/"cost center"\s+= "R&D \\"core\\""/g)?.length, 3);
  t.true(hcl.includes('"amibake:build-id"     = "20261204t155300-ab12cd"'));
  t.true(hcl.includes('$${braces}, %%{directives} & <tags>"'));
});

test('other regions are listed once; with none the attribute is left out', async (t) => {
  const both = await render('lamp', 'aws');
  t.true(both.hcl.includes('  ami_regions = [\n    "eu-west-1",\n  ]\n'));
  const one = await render('minimal', 'aws', { aws: resolved('ami-1') });
  t.false(one.hcl.includes('ami_regions'));
});

test('a resolved base AMI replaces the filter; Amazon Linux uses yum and ec2-user', async (t) => {
  const { hcl, read } = await render('minimal', 'aws', { aws: resolved('ami-0abc') });
  t.true(hcl.includes('source_ami          = "ami-0abc"') || /source_ami\s+= "ami-0abc"/.test(hcl));
  t.false(hcl.includes('source_ami_filter'));
  t.true(hcl.includes('ssh_username'));
  t.regex(hcl, /ssh_username\s+= "ec2-user"/);
  const packages = await read('scripts/packages.sh');
  t.true(packages.includes("yum -y install \\\n  'httpd'"));
  t.false(packages.includes('apt-get'));
});

test('an SSM-named base without a resolved AMI is a RenderError', async (t) => {
  await t.throwsAsync(render('minimal', 'aws'), {
    instanceOf: RenderError,
    message: /name_filter/,
  });
});

test('--no-provision renders communicator "none" and no provisioners', async (t) => {
  const { hcl, result } = await render('lamp', 'aws', { noProvision: true });
  t.regex(hcl, /communicator\s+= "none"/);
  t.false(hcl.includes('provisioner '));
  t.false(hcl.includes('ssh_username'));
  t.deepEqual(result.files, ['build.pkr.hcl']);
  await t.throwsAsync(render('lamp', 'local', { noProvision: true }), { instanceOf: RenderError });
});

test('Packer 1.6.6 gets required_version only; modern gets plugins and IMDSv2', async (t) => {
  const old = await render('lamp', 'aws', { packer: packer166 });
  t.true(old.hcl.includes('packer {\n  required_version = ">= 1.6.0"\n}\n'));
  const modernOnlyWords = ['required_plugins', 'imds_support', 'metadata_options', 'http_tokens'];
  for (const modernOnly of modernOnlyWords) {
    t.false(old.hcl.includes(modernOnly), modernOnly);
  }
  const modern = await render('lamp', 'aws', { packer: packer194 });
  t.true(modern.hcl.includes([
    'packer {',
    '  required_version = ">= 1.7.0"',
    '  required_plugins {',
    '    amazon = {',
    '      version = ">= 1.2.0"',
    '      source  = "github.com/hashicorp/amazon"',
    '    }',
    '  }',
    '}',
  ].join('\n')));
  t.true(modern.hcl.includes('  imds_support = "v2.0"\n  metadata_options {\n'));
  t.true(modern.hcl.includes('    http_tokens                 = "required"\n'));
  const local = await render('bare', 'local', { packer: packer194 });
  const qemuPlugin = [
    '    qemu = {',
    '      version = ">= 1.0.0"',
    '      source  = "github.com/hashicorp/qemu"',
  ].join('\n');
  t.true(local.hcl.includes(qemuPlugin));
  t.false(local.hcl.includes('amazon = {'));
});

test('publish tags may not use the amibake: prefix', async (t) => {
  const root = await tempDir('render-tags');
  const lamp = await loadFixture('lamp');
  const publish = { public: false, regions: [], tags: { 'amibake:image': 'x' } };
  const spec = { ...lamp.spec, publish };
  await t.throwsAsync(renderBuild({ ...lamp, spec }, await contextFor('aws', root, packer166)), {
    instanceOf: RenderError,
    message: /reserved/,
  });
});
