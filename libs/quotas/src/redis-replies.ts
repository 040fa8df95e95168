import type { ChainableCommander } from 'ioredis';

/** Runs a MULTI or pipeline and returns its replies, throwing the first command error. */
export async function execOrThrow(commands: ChainableCommander): Promise<unknown[]> {
  const replies = await commands.exec();
  if (!replies) throw new Error('the Redis transaction was aborted (a watched key changed)');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
