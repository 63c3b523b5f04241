import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function validateCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo validate is not implemented yet', 1);
}
