/**
 * Lua run inside Redis, so each step is atomic across every agent replica (Redis runs one script
 * at a time). Time comes from Redis TIME, not from the replicas' clocks. All keys of one tenant
 * share the hash tag `{al:<tenant>}`, so the scripts also work on Redis Cluster.
 *
 * Token bucket (same math as token-bucket.ts): units u at time `at`; refill to
 * min(cap, u + (now - at) * cap / 60000). A missing key is a full bucket, so keys expire once the
 * bucket would be full again.
 */

const clock = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const bucket = `
local function refill(key, cap)
  local v = redis.call('HMGET', key, 'u', 'at')
  local u, at = tonumber(v[1]), tonumber(v[2])
  if u == nil or at == nil then return cap end
  return math.min(cap, u + math.max(0, now - at) * cap / 60000)
end
local function save(key, u, cap)
  redis.call('HSET', key, 'u', tostring(u), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((cap - u) * 60000 / cap) + 1000)
end
`;

export const scripts = {
  /** KEYS: requests bucket, tokens bucket. ARGV: requests cap, tokens cap, token cost. -> {allowed, reqUnits, tokUnits} */
  alAdmit: {
    numberOfKeys: 2,
    lua: `${clock}${bucket}
local reqCap, tokCap, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local r = refill(KEYS[1], reqCap)
local k = refill(KEYS[2], tokCap)
local allowed = 0
if r >= 1 and k >= cost then
  r = r - 1
  k = k - cost
  allowed = 1
end
save(KEYS[1], r, reqCap)
save(KEYS[2], k, tokCap)
return {allowed, tostring(r), tostring(k)}`,
  },
  /** KEYS: tokens bucket. ARGV: cap, delta (refund > 0, extra charge < 0). Clamped to [-cap, cap]. */
  alSettle: {
    numberOfKeys: 1,
    lua: `${clock}${bucket}
local cap, delta = tonumber(ARGV[1]), tonumber(ARGV[2])
local k = math.max(-cap, math.min(cap, refill(KEYS[1], cap) + delta))
save(KEYS[1], k, cap)
return tostring(k)`,
  },
  /** KEYS: idempotency hash. ARGV: fingerprint, pending TTL sec. -> {'new'} | {'mismatch'} | {'in_flight'} | {'replay', sid, record} */
  alIdemBegin: {
    numberOfKeys: 1,
    lua: `
local v = redis.call('HMGET', KEYS[1], 'state', 'fp', 'sid', 'rec')
if v[1] then
  if v[2] ~= ARGV[1] then return {'mismatch'} end
  if v[1] == 'pending' then return {'in_flight'} end
  return {'replay', v[3], v[4]}
end
redis.call('HSET', KEYS[1], 'state', 'pending', 'fp', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {'new'}`,
  },
  /** KEYS: idempotency hash. ARGV: fingerprint. Deletes only a pending claim with that fingerprint. */
  alIdemRelease: {
    numberOfKeys: 1,
    lua: `
local v = redis.call('HMGET', KEYS[1], 'state', 'fp')
if v[1] == 'pending' and v[2] == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`,
  },
  /** KEYS: sessions zset. ARGV: session id, max sessions, ttl sec. -> 1 reserved/exists, 0 cap reached. */
  alReserve: {
    numberOfKeys: 1,
    lua: `${clock}
local ttlMs = tonumber(ARGV[3]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttlMs)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttlMs)
return 1`,
  },
  /**
   * KEYS: turns list, sessions zset, [idempotency hash]. ARGV: session id, ttl sec, turn JSON
   * without "turn" (an object with at least one key), [fingerprint, idempotency ttl sec].
   * The turn number is LLEN + 1, spliced in as the first key. -> the stored JSON.
   */
  alAppend: {
    numberOfKeys: 3,
    lua: `${clock}
local ttl = tonumber(ARGV[2])
local n = redis.call('LLEN', KEYS[1]) + 1
local rec = '{"turn":' .. n .. ',' .. string.sub(ARGV[3], 2)
redis.call('RPUSH', KEYS[1], rec)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl * 1000)
if ARGV[4] and ARGV[4] ~= '' then
  redis.call('HSET', KEYS[3], 'state', 'done', 'fp', ARGV[4], 'sid', ARGV[1], 'rec', rec)
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
return rec`,
  },
  /** KEYS: sessions zset, turns list. ARGV: session id, ttl sec. -> nil when absent/expired, else every turn. */
  alGetSession: {
    numberOfKeys: 2,
    lua: `${clock}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now - tonumber(ARGV[2]) * 1000 then return false end
return redis.call('LRANGE', KEYS[2], 0, -1)`,
  },
  /** KEYS: sessions zset, turns list. ARGV: session id. -> 1 when something was removed. */
  alDelete: {
    numberOfKeys: 2,
    lua: `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
local deleted = redis.call('DEL', KEYS[2])
if removed + deleted > 0 then return 1 end
return 0`,
  },
} as const;

export type ScriptName = keyof typeof scripts;
