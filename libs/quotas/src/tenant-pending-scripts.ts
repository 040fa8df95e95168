/**
 * Lua run by `TenantPendingJobs`. Each touches one key (the tenant's set), so it runs unchanged on a
 * Redis Cluster. Scores are milliseconds since the epoch, sent as integers.
 */

/**
 * Check-and-add in one step, so replicas admitting the same tenant at once can never pass the cap
 * together.
 *
 * KEYS[1] the tenant's pending set
 * ARGV[1] the cap; ARGV[2] now (the new members' score); ARGV[3] members scored below it are
 * dropped first (older than the max age); ARGV[4..] job ids to add.
 * Returns { 1, pending after } when admitted, { 0, pending } (nothing added) when refused.
 */
export const RESERVE_LUA = `
local key = KEYS[1]
local cap, now = tonumber(ARGV[1]), ARGV[2]
redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[3])
local pending = redis.call('ZCARD', key)
if pending + #ARGV - 3 > cap then return { 0, pending } end
local args = {}
for i = 4, #ARGV do
  args[#args + 1] = now
  args[#args + 1] = ARGV[i]
  -- ZADD's arguments go through Lua's stack, which holds about 8,000: add in chunks.
  if #args == 1000 or i == #ARGV then
    redis.call('ZADD', key, unpack(args))
    args = {}
  end
end
return { 1, redis.call('ZCARD', key) }
`;

/**
 * Removes members the sweep found finished, but only if their score is still the one the sweep read:
 * a job retried meanwhile was reserved again with a new score and stays counted.
 *
 * KEYS[1] the tenant's pending set; ARGV: member, score, member, score…
 * Returns how many members were removed.
 */
export const REMOVE_UNCHANGED_LUA = `
local removed = 0
for i = 1, #ARGV, 2 do
  -- A missing member reads as false, and tonumber(false) is nil: never equal.
  if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i])) == tonumber(ARGV[i + 1]) then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
`;
