/**
 * The Lua scripts of the Redis store. Redis runs a script to completion before any other command from
 * any client, so each script's check and write are one atomic step across every Operator process
 * sharing the Redis. The scripts decide nothing: bounds, dedupe keys and the ids' random parts are
 * arguments chosen by the policy, and the id rule is the policy's (`NEXT_ID_LUA`). Record offsets come
 * from `_records.ts`, so the layout has one source.
 * @internal
 */
import { ID_LENGTH, NEXT_ID_LUA } from '../policy/ids.js';
import { MAIL_HEADER_BYTES, POST_AUTHOR_OFFSET } from './_records.js';

/** The author of a post record (u16 length at POST_AUTHOR_OFFSET - 2, then UTF-8). Lua strings are 1-based. */
const AUTHOR_OF = `
local function author_of(rec)
  local n = string.byte(rec, ${POST_AUTHOR_OFFSET - 1}) * 256 + string.byte(rec, ${POST_AUTHOR_OFFSET})
  return string.sub(rec, ${POST_AUTHOR_OFFSET + 1}, ${POST_AUTHOR_OFFSET} + n)
end
`;

/** STORE-2: takes `n` sealed bytes off the store's count, dropping the key at zero (never below). */
const RELEASE = `
local function release(sb, n)
  if redis.call('DECRBY', sb, n) <= 0 then redis.call('DEL', sb) end
end
`;

/**
 * The dedupe index `mh`/`ph` holds key → id and id → key (the policy's keys are 64 characters, ids 26, so
 * the two kinds of field never meet), so a deletion finds the key without knowing how it was made. Drops
 * the pair of `id`, keeping a key that points elsewhere.
 */
const FORGET_DIGEST = `
local function forget_digest(index, id)
  local digest = redis.call('HGET', index, id)
  redis.call('HDEL', index, id)
  if digest and redis.call('HGET', index, digest) == id then redis.call('HDEL', index, digest) end
end
`;

/** Deletes one letter from its mailbox keys; keeps the byte counters right and drops them with the last letter. */
const DROP_MAIL = `${RELEASE}${FORGET_DIGEST}
local function drop_mail(mi, md, mb, mx, mh, sb, to, id)
  local len = redis.call('HSTRLEN', md, id)
  if len == 0 then return 0 end
  redis.call('HDEL', md, id)
  redis.call('ZREM', mi, id)
  redis.call('ZREM', mx, id .. to)
  forget_digest(mh, id)
  if redis.call('ZCARD', mi) == 0 then
    redis.call('DEL', mb)
  else
    redis.call('DECRBY', mb, len - ${MAIL_HEADER_BYTES})
  end
  release(sb, len - ${MAIL_HEADER_BYTES})
  return 1
end
`;

/** Deletes one post record (known to exist) and every index entry of it. */
const DROP_POST = `${AUTHOR_OF}${RELEASE}${FORGET_DIGEST}
local function drop_post(pi, pd, px, ph, sb, prefix, id, rec)
  local author = author_of(rec)
  redis.call('ZREM', prefix .. 'pa:' .. author, id)
  redis.call('HDEL', pd, id)
  redis.call('ZREM', pi, id)
  redis.call('ZREM', px, id)
  forget_digest(ph, id)
  release(sb, #rec - ${POST_AUTHOR_OFFSET} - #author)
end
`;

/**
 * TOK-8: the token paying for a put, burned in the put's own script (so a refused put burns nothing).
 * `ts` the period's hash nullifier → action, `tp` the zset of periods; `n` the nonce ('' when the put is
 * not paid with a token), `a` the action digest, `p` the period.
 */
const SPEND = `
local function burned_elsewhere(ts, n, a)
  if n == '' then return false end
  local held = redis.call('HGET', ts, n)
  return held ~= false and held ~= a
end
local function burn(ts, tp, n, a, p)
  if n == '' then return end
  if redis.call('HSETNX', ts, n, a) == 1 then redis.call('ZADD', tp, p, p) end
end
`;

/** One script: its source and how many of its arguments are keys. */
export interface LuaScript {
  readonly keys: number;
  readonly lua: string;
}

/** Puts a name/key pair unless either is held (REG-2). KEYS: name record, key record. ARGV: public key, registeredAt, name. */
export const REGISTER: LuaScript = {
  keys: 2,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'name-taken' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'key-taken' end
redis.call('HSET', KEYS[1], 'k', ARGV[1], 't', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 'ok'
`,
};

/**
 * Appends a letter: the dedupe key check (MB-11), the mailbox bounds (MB-4), the store's bound (STORE-2),
 * id and insert in one step, then the "you have mail" message on the channel every process listens to. The
 * key check comes first, so running the script again — ioredis re-sends a command whose reply a dropped
 * connection lost — answers the first run's id and stores nothing (STORE-3). A token paying for it
 * (TOK-11) is burned here too ({@link SPEND}). KEYS: mi, md, mb, mx, mh, sb, ts:<period>, tp. ARGV: arrival
 * time (integer ms), random id part, record, sealed length, max items, max bytes, expiresAt, to, channel,
 * dedupe key, store bound ('' = none), nonce ('' = no token), action digest, period. Returns the id ('='
 * and the id when the letter was held), 'quota', 'storage-full' or 'spent'.
 */
export const PUT_MAIL: LuaScript = {
  keys: 8,
  lua: `${NEXT_ID_LUA}${SPEND}
if burned_elsewhere(KEYS[7], ARGV[12], ARGV[13]) then return 'spent' end
local held = redis.call('HGET', KEYS[5], ARGV[10])
if held then
  burn(KEYS[7], KEYS[8], ARGV[12], ARGV[13], ARGV[14])
  return '=' .. held
end
local items = redis.call('ZCARD', KEYS[1])
local bytes = tonumber(redis.call('GET', KEYS[3]) or '0')
local len = tonumber(ARGV[4])
if items + 1 > tonumber(ARGV[5]) or bytes + len > tonumber(ARGV[6]) then return 'quota' end
local total = tonumber(redis.call('GET', KEYS[6]) or '0')
if ARGV[11] ~= '' and total + len > tonumber(ARGV[11]) then return 'storage-full' end
local id = next_id(tonumber(ARGV[1]), ARGV[2], greatest_in(KEYS[1]))
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('ZADD', KEYS[1], 0, id)
redis.call('INCRBY', KEYS[3], len)
redis.call('ZADD', KEYS[4], ARGV[7], id .. ARGV[8])
redis.call('HSET', KEYS[5], ARGV[10], id, id, ARGV[10])
redis.call('INCRBY', KEYS[6], len)
burn(KEYS[7], KEYS[8], ARGV[12], ARGV[13], ARGV[14])
redis.call('PUBLISH', ARGV[9], ARGV[8])
return id
`,
};

/** MB-3. KEYS: mi, md, mb, mx, mh, sb. ARGV: to, then the ids. Returns how many were deleted. */
export const ACK_MAIL: LuaScript = {
  keys: 6,
  lua: `${DROP_MAIL}
local gone = 0
for i = 2, #ARGV do
  gone = gone + drop_mail(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[1], ARGV[i])
end
return gone
`,
};

/**
 * MB-5: deletes up to one batch of letters whose expiry is ≤ now. The mailbox keys are derived here from the
 * expiry entry (id then recipient) and the tagged prefix, so they are in the script's hash slot (STORE-5).
 * KEYS: mx, sb. ARGV: now, batch size, key prefix. Returns { entries seen, letters deleted }.
 */
export const EXPIRE_MAIL: LuaScript = {
  keys: 2,
  lua: `${DROP_MAIL}
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
local gone = 0
for _, entry in ipairs(due) do
  local id = string.sub(entry, 1, ${ID_LENGTH})
  local to = string.sub(entry, ${ID_LENGTH + 1})
  local p = ARGV[3]
  gone = gone + drop_mail(p .. 'mi:' .. to, p .. 'md:' .. to, p .. 'mb:' .. to, KEYS[1], p .. 'mh:' .. to, KEYS[2], to, id)
  redis.call('ZREM', KEYS[1], entry)
end
return { #due, gone }
`,
};

/**
 * Appends a post, unless one with the same dedupe key is held (its id is answered: a re-sent script is a
 * no-op, STORE-3, FEED-9), the author already holds `max posts` since `since` (FEED-5), or the store's
 * bound would be passed (STORE-2). Its id comes
 * after the greatest id in the feed and after the last post id minted, which outlives its post (OP-5: a
 * deleted post's id may be a reader's cursor). KEYS: pi, pd, pa:<author>, px, pl, ph, sb. ARGV: posting
 * time (integer ms), random id part, record, postedAt, expiresAt, dedupe key, max posts ('' = no limit),
 * since, store bound ('' = none), sealed length. Returns the id ('=' and the id when the post was held),
 * 'rate-limited' or 'storage-full'.
 */
export const PUT_POST: LuaScript = {
  keys: 7,
  lua: `${NEXT_ID_LUA}
local held = redis.call('HGET', KEYS[6], ARGV[6])
if held then return '=' .. held end
if ARGV[7] ~= '' and redis.call('ZCOUNT', KEYS[3], ARGV[8], '+inf') + 1 > tonumber(ARGV[7]) then return 'rate-limited' end
local len = tonumber(ARGV[10])
local total = tonumber(redis.call('GET', KEYS[7]) or '0')
if ARGV[9] ~= '' and total + len > tonumber(ARGV[9]) then return 'storage-full' end
local id = next_id(tonumber(ARGV[1]), ARGV[2], greatest_in(KEYS[1]), redis.call('GET', KEYS[5]))
redis.call('SET', KEYS[5], id)
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('ZADD', KEYS[1], 0, id)
redis.call('ZADD', KEYS[3], ARGV[4], id)
redis.call('ZADD', KEYS[4], ARGV[5], id)
redis.call('HSET', KEYS[6], ARGV[6], id, id, ARGV[6])
redis.call('INCRBY', KEYS[7], len)
return id
`,
};

/**
 * Deletes a post if its author is the given one (FEED-8), compared inside the script. KEYS: pi, pd, px, pa:<author>, ph, sb. ARGV: id, author, prefix.
 * Returns 1 deleted, 0 not. (The author's index key is derived from the record, as in expiry, and is the
 * declared KEYS[4] whenever the post is the caller's.)
 */
export const DELETE_POST: LuaScript = {
  keys: 6,
  lua: `${DROP_POST}
local rec = redis.call('HGET', KEYS[2], ARGV[1])
if not rec or author_of(rec) ~= ARGV[2] then return 0 end
drop_post(KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[6], ARGV[3], ARGV[1], rec)
return 1
`,
};

/** FEED-4: deletes up to one batch of posts whose expiry is ≤ now. KEYS: px, pi, pd, ph, sb. ARGV: now, batch, prefix. */
export const EXPIRE_POSTS: LuaScript = {
  keys: 5,
  lua: `${DROP_POST}
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
local gone = 0
for _, id in ipairs(due) do
  local rec = redis.call('HGET', KEYS[3], id)
  if rec then
    drop_post(KEYS[2], KEYS[3], KEYS[1], KEYS[4], KEYS[5], ARGV[3], id, rec)
    gone = gone + 1
  end
  redis.call('ZREM', KEYS[1], id)
end
return { #due, gone }
`,
};

/**
 * COL-19: compare-and-append to a collective log, a hash position → entry whose HLEN is the log's length.
 * The entry already at the position with the same bytes answers 'ok' and writes nothing, so a re-sent
 * script is a no-op (STORE-3). KEYS: the log's hash, sb. ARGV: position, entry, max entries, store bound
 * ('' = none). Returns 'ok', 'stale', 'full' or 'storage-full'.
 */
export const APPEND_ENTRY: LuaScript = {
  keys: 2,
  lua: `
local length = redis.call('HLEN', KEYS[1])
local position = tonumber(ARGV[1])
if position < length then
  if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 'ok' end
  return 'stale'
end
if position ~= length then return 'stale' end
if length + 1 > tonumber(ARGV[3]) then return 'full' end
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[4] ~= '' and total + #ARGV[2] > tonumber(ARGV[4]) then return 'storage-full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCRBY', KEYS[2], #ARGV[2])
return 'ok'
`,
};

/**
 * PROF-10: puts a profile if the one held (a hash { s: sealed, a: at, r: receivedAt, x: expiresAt }) is
 * absent, expired or older; the bytes it replaces are freed in the same step (STORE-2). The same bytes
 * again answer 'held' and write nothing, so a re-sent script is a no-op (STORE-3). KEYS: the profile's
 * hash, the profile expiry zset, sb. ARGV: sealed, at, expiresAt, now, store bound ('' = none), receivedAt,
 * name. Returns 'ok', 'held', 'stale' or 'storage-full'.
 */
export const PUT_PROFILE: LuaScript = {
  keys: 3,
  lua: `
local current = redis.call('HGET', KEYS[1], 's')
local live = current and tonumber(redis.call('HGET', KEYS[1], 'x')) > tonumber(ARGV[4])
if live and current == ARGV[1] then return 'held' end
if live and tonumber(redis.call('HGET', KEYS[1], 'a')) >= tonumber(ARGV[2]) then return 'stale' end
local freed = 0
if current then freed = #current end
local total = tonumber(redis.call('GET', KEYS[3]) or '0')
if ARGV[5] ~= '' and total - freed + #ARGV[1] > tonumber(ARGV[5]) then return 'storage-full' end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'a', ARGV[2], 'r', ARGV[6], 'x', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[7])
local delta = #ARGV[1] - freed
if total + delta <= 0 then redis.call('DEL', KEYS[3]) elseif delta ~= 0 then redis.call('INCRBY', KEYS[3], delta) end
return 'ok'
`,
};

/**
 * PROF-10: deletes up to a batch of profiles whose expiry is due. KEYS: the profile expiry zset, sb.
 * ARGV: now, batch size, prefix. Returns { due entries seen, profiles deleted }.
 */
export const EXPIRE_PROFILES: LuaScript = {
  keys: 2,
  lua: `${RELEASE}
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
local gone = 0
for _, name in ipairs(due) do
  local key = ARGV[3] .. 'pf:' .. name
  local x = redis.call('HGET', key, 'x')
  redis.call('ZREM', KEYS[1], name)
  if x and tonumber(x) <= tonumber(ARGV[1]) then
    local len = redis.call('HSTRLEN', key, 's')
    redis.call('DEL', key)
    release(KEYS[2], len)
    gone = gone + 1
  elseif x then
    redis.call('ZADD', KEYS[1], x, name)
  end
end
return { #due, gone }
`,
};

/**
 * CHAN-7: appends a channel post unless one with the same dedupe key is held in the channel (its id is
 * answered: a re-sent script is a no-op, STORE-3), the channel holds `max posts`, or `max recent` since
 * `since`, or the store's bound would be passed (STORE-2); a token paying for it (EVT-15) is burned here
 * too ({@link SPEND}). KEYS: ci:<chan> (ids, score 0), cd:<chan> (id → record), ct:<chan> (ids by
 * postedAt), cx (`<id><chan>` by expiresAt), ch:<chan> (dedupe), sb, ts:<period>, tp. ARGV: posting time
 * (integer ms), random id part, record, postedAt, expiresAt, dedupe key, max posts, max recent, since,
 * store bound ('' = none), sealed length, chan, nonce ('' = no token), action digest, period. Returns the
 * id ('=' and the id when held), 'full', 'rate-limited', 'storage-full' or 'spent'.
 */
export const PUT_CHAN_POST: LuaScript = {
  keys: 8,
  lua: `${NEXT_ID_LUA}${SPEND}
if burned_elsewhere(KEYS[7], ARGV[13], ARGV[14]) then return 'spent' end
local held = redis.call('HGET', KEYS[5], ARGV[6])
if held then
  burn(KEYS[7], KEYS[8], ARGV[13], ARGV[14], ARGV[15])
  return '=' .. held
end
if redis.call('ZCARD', KEYS[1]) + 1 > tonumber(ARGV[7]) then return 'full' end
if redis.call('ZCOUNT', KEYS[3], ARGV[9], '+inf') + 1 > tonumber(ARGV[8]) then return 'rate-limited' end
local len = tonumber(ARGV[11])
local total = tonumber(redis.call('GET', KEYS[6]) or '0')
if ARGV[10] ~= '' and total + len > tonumber(ARGV[10]) then return 'storage-full' end
local id = next_id(tonumber(ARGV[1]), ARGV[2], greatest_in(KEYS[1]))
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('ZADD', KEYS[1], 0, id)
redis.call('ZADD', KEYS[3], ARGV[4], id)
redis.call('ZADD', KEYS[4], ARGV[5], id .. ARGV[12])
redis.call('HSET', KEYS[5], ARGV[6], id, id, ARGV[6])
redis.call('INCRBY', KEYS[6], len)
burn(KEYS[7], KEYS[8], ARGV[13], ARGV[14], ARGV[15])
return id
`,
};

/**
 * CHAN-7: deletes up to one batch of channel posts whose expiry is ≤ now; the channel's keys are derived
 * from the expiry entry (id then channel). KEYS: cx, sb. ARGV: now, batch size, prefix. Returns { entries
 * seen, posts deleted }.
 */
export const EXPIRE_CHAN_POSTS: LuaScript = {
  keys: 2,
  lua: `${RELEASE}${FORGET_DIGEST}
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
local gone = 0
for _, entry in ipairs(due) do
  local id = string.sub(entry, 1, ${ID_LENGTH})
  local chan = string.sub(entry, ${ID_LENGTH + 1})
  local p = ARGV[3]
  local len = redis.call('HSTRLEN', p .. 'cd:' .. chan, id)
  if len > 0 then
    redis.call('HDEL', p .. 'cd:' .. chan, id)
    redis.call('ZREM', p .. 'ci:' .. chan, id)
    redis.call('ZREM', p .. 'ct:' .. chan, id)
    forget_digest(p .. 'ch:' .. chan, id)
    release(KEYS[2], len - ${MAIL_HEADER_BYTES})
    gone = gone + 1
  end
  redis.call('ZREM', KEYS[1], entry)
end
return { #due, gone }
`,
};

/**
 * PIN-5: puts a pin (a hash { c: cell, k: kind, n: note, t: createdAt, x: expiresAt, y: confirms, d:
 * denies }) unless its id is held — a re-sent script is then a no-op (STORE-3) — or the store holds the
 * most pins it may; the token paying for it (PIN-10) is burned here too ({@link SPEND}). KEYS: the pin's
 * hash, the cell index (zset by lex `<cell><id>`), the expiry zset, ts:<period>, tp. ARGV: id, cell,
 * kind, note, createdAt, expiresAt, max pins, nonce ('' = no token), action digest, period. Returns 'ok',
 * 'held', 'full' or 'spent'.
 */
export const PUT_PIN: LuaScript = {
  keys: 5,
  lua: `${SPEND}
if burned_elsewhere(KEYS[4], ARGV[8], ARGV[9]) then return 'spent' end
if redis.call('EXISTS', KEYS[1]) == 1 then
  burn(KEYS[4], KEYS[5], ARGV[8], ARGV[9], ARGV[10])
  return 'held'
end
if redis.call('ZCARD', KEYS[3]) + 1 > tonumber(ARGV[7]) then return 'full' end
redis.call('HSET', KEYS[1], 'c', ARGV[2], 'k', ARGV[3], 'n', ARGV[4], 't', ARGV[5], 'x', ARGV[6], 'y', 0, 'd', 0)
redis.call('ZADD', KEYS[2], 0, ARGV[2] .. ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
burn(KEYS[4], KEYS[5], ARGV[8], ARGV[9], ARGV[10])
return 'ok'
`,
};

/**
 * PIN-6: a vote on a live pin, once per nullifier: the count goes up and the expiry moves (a confirm adds
 * confirmMs but never past createdAt + maxLifeMs, a deny takes denyMs away), the expiry index with it.
 * The token paying for it (PIN-10) is burned here too ({@link SPEND}). KEYS: the pin's hash, its
 * nullifier set, the expiry zset, ts:<period>, tp. ARGV: now, nullifier, 'confirm' or 'deny', confirmMs,
 * denyMs, maxLifeMs, id, token nonce ('' = no token), action digest, period. Returns { expiresAt,
 * confirms, denies }, or 'not-found', 'expired', 'duplicate', 'spent' with nothing written.
 */
export const VOTE_PIN: LuaScript = {
  keys: 5,
  lua: `${SPEND}
if burned_elsewhere(KEYS[4], ARGV[8], ARGV[9]) then return 'spent' end
local x = redis.call('HGET', KEYS[1], 'x')
if not x then return 'not-found' end
x = tonumber(x)
if x <= tonumber(ARGV[1]) then return 'expired' end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 'duplicate' end
redis.call('SADD', KEYS[2], ARGV[2])
local nx
if ARGV[3] == 'confirm' then
  local cap = tonumber(redis.call('HGET', KEYS[1], 't')) + tonumber(ARGV[6])
  nx = math.max(x, math.min(x + tonumber(ARGV[4]), cap))
  redis.call('HINCRBY', KEYS[1], 'y', 1)
else
  nx = math.max(0, x - tonumber(ARGV[5]))
  redis.call('HINCRBY', KEYS[1], 'd', 1)
end
redis.call('HSET', KEYS[1], 'x', string.format('%d', nx))
redis.call('ZADD', KEYS[3], nx, ARGV[7])
burn(KEYS[4], KEYS[5], ARGV[8], ARGV[9], ARGV[10])
local y = tonumber(redis.call('HGET', KEYS[1], 'y'))
local d = tonumber(redis.call('HGET', KEYS[1], 'd'))
return { string.format('%d', nx), y, d }
`,
};

/**
 * PIN-5: deletes up to a batch of pins whose expiry is due, with their nullifiers and cell entries.
 * KEYS: the expiry zset, the cell index. ARGV: now, batch size, prefix. Returns { due entries seen, pins deleted }.
 */
export const EXPIRE_PINS: LuaScript = {
  keys: 2,
  lua: `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
local gone = 0
for _, id in ipairs(due) do
  local key = ARGV[3] .. 'pn:' .. id
  local cell = redis.call('HGET', key, 'c')
  redis.call('ZREM', KEYS[1], id)
  if cell then
    redis.call('DEL', key, ARGV[3] .. 'pnv:' .. id)
    redis.call('ZREM', KEYS[2], cell .. id)
    gone = gone + 1
  end
end
return { #due, gone }
`,
};

/**
 * TOK-9: takes up to ARGV[2] tokens of ARGV[1]'s budget of ARGV[3] in one period and records the period
 * for the sweep. KEYS: the period's hash name → tokens taken, the zset of periods holding token data.
 * ARGV[4]: the period. Answers {granted, left}.
 */
export const TAKE_TOKENS: LuaScript = {
  keys: 2,
  lua: `
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local grant = math.min(tonumber(ARGV[2]), math.max(0, tonumber(ARGV[3]) - used))
if grant > 0 then
  redis.call('HINCRBY', KEYS[1], ARGV[1], grant)
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[4])
end
return {grant, math.max(0, tonumber(ARGV[3]) - used - grant)}
`,
};

/**
 * TOK-8: burns the nonce ARGV[1] for the action digest ARGV[2] unless it is burned already ('held' for the
 * same action, a re-sent script included (STORE-3); 'spent' for another). KEYS: the period's hash
 * nullifier → action, the zset of periods. ARGV[3]: the period.
 */
export const SPEND_TOKEN: LuaScript = {
  keys: 2,
  lua: `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  if held == ARGV[2] then return 'held' end
  return 'spent'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[3])
return 'ok'
`,
};

/**
 * VOTE-4, TOK-8: burns a token nonce and sets a voter's choice on a post, adjusting its tally, in one step.
 * KEYS: the post's vote hash (voter tag → '1' | '-1', and '#up', '#down'), the vote expiry zset (posts by
 * expiresAt), the period's burned-nonce hash, the zset of token periods. ARGV: voter tag, choice ('1',
 * '-1', '0'), expiresAt, nullifier, action digest, period, post id. Answers {'held'|'ok', up, down},
 * 'spent' or 'same'; nothing is written unless 'ok'.
 */
export const CAST_VOTE: LuaScript = {
  keys: 4,
  lua: `
local up = tonumber(redis.call('HGET', KEYS[1], '#up') or '0')
local down = tonumber(redis.call('HGET', KEYS[1], '#down') or '0')
local burned = redis.call('HGET', KEYS[3], ARGV[4])
if burned then
  if burned == ARGV[5] then return {'held', up, down} end
  return 'spent'
end
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local choice = tonumber(ARGV[2])
if current == choice then return 'same' end
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[6])
if current == 1 then up = up - 1 elseif current == -1 then down = down - 1 end
if choice == 1 then up = up + 1 elseif choice == -1 then down = down + 1 end
if choice == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if up == 0 and down == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[7])
else
  redis.call('HSET', KEYS[1], '#up', up, '#down', down)
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[7])
end
return {'ok', up, down}
`,
};

/**
 * VOTE-6: deletes up to one batch of posts' votes whose post expired by now; the vote hash's key is
 * derived from the entry (prefix, 'v:', post id). KEYS: vx. ARGV: now, batch size, prefix. Returns
 * { entries seen, posts whose votes went }.
 */
export const EXPIRE_VOTES: LuaScript = {
  keys: 1,
  lua: `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
for _, post in ipairs(due) do
  redis.call('DEL', ARGV[3] .. 'v:' .. post)
  redis.call('ZREM', KEYS[1], post)
end
return { #due, #due }
`,
};
