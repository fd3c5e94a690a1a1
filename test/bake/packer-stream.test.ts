import test from 'ava';
import { ArtifactCollector, parseAmiIds, parsePackerLine, progressText } from '../../src/bake/packer-stream.js';

test('a machine-readable line splits into time, target, type and unescaped data', (t) => {
  const line = parsePackerLine('1733330000,amazon-ebs.x,ui,say,a%!(PACKER_COMMA) b\\nc');
  t.deepEqual(line, { timestamp: 1733330000, target: 'amazon-ebs.x', type: 'ui', data: ['say', 'a, b\nc'] });
});

test('lines that are not machine-readable are ignored', (t) => {
  t.is(parsePackerLine('==> qemu: Waiting for SSH'), undefined);
  t.is(parsePackerLine(''), undefined);
});

test('artifact lines gather into one artifact with its id and files', (t) => {
  const collector = new ArtifactCollector();
  const lines = [
    '1,amazon-ebs.x,artifact,0,builder-id,mitchellh.amazonebs',
    '1,amazon-ebs.x,artifact,0,id,us-east-1:ami-0abc%!(PACKER_COMMA)us-west-2:ami-0def',
    '1,amazon-ebs.x,artifact,0,file,0,/tmp/a.qcow2',
    '1,amazon-ebs.x,artifact,0,end',
  ];
  for (const raw of lines) collector.add(parsePackerLine(raw)!);
  const [artifact] = collector.list();
  t.is(artifact.builder, 'mitchellh.amazonebs');
  t.is(artifact.id, 'us-east-1:ami-0abc,us-west-2:ami-0def');
  t.deepEqual(artifact.files, ['/tmp/a.qcow2']);
  t.deepEqual(parseAmiIds(artifact.id!), { 'us-east-1': 'ami-0abc', 'us-west-2': 'ami-0def' });
});

test('an AMI id list ignores pieces that are not region:ami pairs', (t) => {
  t.deepEqual(parseAmiIds('us-east-1:ami-12,garbage,eu-west-1:notanami'), { 'us-east-1': 'ami-12' });
});

test('ui errors are marked and blank messages dropped', (t) => {
  t.is(progressText(parsePackerLine('1,,ui,error,Build failed\\n')!), '! Build failed');
  t.is(progressText(parsePackerLine('1,,ui,say,   ')!), undefined);
  t.is(progressText(parsePackerLine('1,,artifact-count,1')!), undefined);
});
