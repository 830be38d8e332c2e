/**
 * `comrad vote POST up|down|none` and `comrad tokens` (VOTE-*, TOK-*): an anonymous vote on a world post,
 * or on a trusted or collective post this home has shown (VOTE-7: in its channel), paid with one
 * unlinkable token on a connection that never logs in; and obtaining the day's tokens ahead of the
 * actions they pay for.
 * @module
 */
import { ComradError } from '@comrad/core';
import { VOTE_CHOICES, type VoteChoice } from '@comrad/core/wire';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';

/** `comrad vote POST up|down|none`. */
export async function vote(ctx: Context, post: string, choice: string): Promise<void> {
  if (!(VOTE_CHOICES as readonly string[]).includes(choice)) throw new UsageError('BAD_ARGUMENT', 'a vote is up, down or none');
  await ctx.withComrade(true, async (c) => {
    const tally = await c.votePost(post, choice as VoteChoice);
    const said = choice === 'none' ? 'Withdrew your vote on' : `Voted ${choice} on`;
    ctx.out.line(`${said} post ${post} (anonymously, one token): now ▲ ${tally.up} ▼ ${tally.down}`);
    ctx.out.hint(`${await c.tokenCount()} tokens left; \`comrad tokens\` obtains the day's budget ahead of time`);
    ctx.out.result({ post, choice, up: tally.up, down: tally.down });
  });
}

/** `comrad tokens`: obtains what is left of today's budget, then shows how many tokens this home holds. */
export async function tokens(ctx: Context): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    let obtained = 0;
    try {
      obtained = (await c.obtainTokens()).obtained;
    } catch (err) {
      if (!ComradError.is(err, 'QUOTA_EXCEEDED')) throw err;
    }
    const held = await c.tokenCount();
    ctx.out.line(`${held} unspent tokens ${obtained > 0 ? `(${obtained} obtained now)` : "(today's budget is taken)"}: each pays for one anonymous vote, pin or event`);
    ctx.out.result({ held, obtained });
  });
}
