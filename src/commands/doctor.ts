import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function doctorCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo doctor is not implemented yet', 1);
}
