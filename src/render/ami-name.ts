// AMI names as AWS accepts them: letters, digits, ( ) [ ] space . / - ' @ _, 3 to 128 characters,
// and unique per build because the build id is always part of the name.
import { RenderError } from '../errors.js';

const MAX = 128;
const MIN = 3;

// Each run of characters AWS refuses becomes one "-"; separators at the ends are dropped.
function clean(text: string): string {
  return text
    .replace(/[^A-Za-z0-9()[\] ./'@_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-. ]+|[-. ]+$/g, '');
}

export function amiName(name: string, buildId: string): string {
  const id = clean(buildId);
  if (id === '') {
    throw new RenderError(`build id "${buildId}" has no characters an AMI name may hold`);
  }
  let base = clean(name);
  if (base === '') {
    throw new RenderError(`image name "${name}" has no characters an AMI name may hold`, {
      hint: 'use letters, digits and ( ) [ ] . / - \' @ _ in the image name',
    });
  }
  // The build id is what makes the name unique, so the image name is what gets shortened.
  const room = MAX - id.length - 1;
  if (room < 1) throw new RenderError(`build id "${buildId}" is too long for an AMI name`);
  base = clean(base.slice(0, room));
  const result = `${base}-${id}`;
  if (result.length < MIN) throw new RenderError(`AMI name "${result}" is shorter than ${MIN}`);
  return result;
}
