/**
 * `comrad trust`, `comrad untrust`, `comrad trusted`: the trusted circle (CIR-*).
 * @module
 */
import type { InboxReport } from '../../comrade/inbox.js';
import type { Context } from '../context.js';
import type { Output } from '../output.js';
import { CircleStore } from '../../store/circles.js';
import { circlesOf } from '../../comrade/circles.js';
import { withLocalHome } from '../local.js';
import { notRegistered } from './mail.js';

/** `comrad trust NAME`: they get the circle's key by sealed letter (CIR-4). */
export async function trust(ctx: Context, name: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const res = await c.trust(name).catch((err: unknown) => {
      throw notRegistered(err, name);
    });
    if (res.added) ctx.out.line(`You trust @${res.name} now: they got your trusted circle's key (key ${res.gen}) in a sealed letter.`);
    else ctx.out.line(`You trust @${res.name} already: your circle's key (key ${res.gen}) was sent to them again.`);
    ctx.out.result(res);
  });
}

/** `comrad untrust NAME`: a new key for everyone still trusted (CIR-5). */
export async function untrust(ctx: Context, name: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const res = await c.untrust(name);
    ctx.out.line(`You no longer trust @${res.name}: your circle has a new key (key ${res.gen}), sent to ${res.sentTo.length} comrade${res.sentTo.length === 1 ? '' : 's'}. @${res.name} cannot read what you post from now on.`);
    if (res.profile.status === 'resealed') ctx.out.line(`Your profile for those you trust is sealed under the new key: @${res.name} cannot read it from now on.`);
    // PROF-14: the person must know the old profile is still readable, and how to end that.
    if (res.profile.status === 'failed') ctx.out.warn(`your profile for those you trust is still under the old key (${res.profile.code}): set it again with \`comrad profile set … --visibility trusted\``);
    for (const u of res.unreached) ctx.out.warn(`the new key did not reach @${u.name} (${u.code}): send it again with \`comrad trust ${u.name}\``);
    ctx.out.result(res);
  });
}

/** `comrad trusted`: whom we trust, and who trusts us (the home only: no connection). */
export async function trusted(ctx: Context): Promise<void> {
  await withLocalHome(ctx, async ({ home, me, operator }) => {
    const store = new CircleStore(home.paths, me.keys.privateKey);
    const res = operator.key ? await circlesOf(store, operator.key) : { trusted: [], trustedBy: [] };
    store.wipe();
    if (res.trusted.length === 0) ctx.out.line('You trust no one yet (comrad trust NAME).');
    else ctx.out.line(`You trust ${res.trusted.map((n) => `@${n}`).join(', ')} (key ${res.gen}).`);
    if (res.trustedBy.length > 0) ctx.out.line(`Trusted by ${res.trustedBy.map((t) => `@${t.owner}`).join(', ')}: you read their circles.`);
    ctx.out.result(res);
  });
}

/** CIR-6: what the inbox did with circle keys, for people. */
export function sayCircleKeys(out: Output, keys: InboxReport['circleKeys']): void {
  for (const k of keys) {
    if (k.status === 'new') out.line(`@${k.from} trusts you: you can read their trusted circle now (key ${k.gen}).`);
    else if (k.status === 'rotated') out.line(`@${k.from}'s trusted circle has a new key (key ${k.gen}): someone left it, and you are still in.`);
  }
}
