/**
 * The screens of the app, in tab order. A new screen is a module in this folder and one line here.
 * @module
 */
import { e, type AppState, type El, type Post } from '../kit.js';
import { Collectives } from './collectives.js';
import { Contacts } from './contacts.js';
import { Events } from './events.js';
import { Letters } from './letters.js';
import { Profiles } from './profile.js';
import { Trusted } from './trusted.js';
import { DangerMap } from './map.js';
import { Status } from './status.js';
import { World } from './world.js';

/** What the shell hands every screen: who is here, and counters that change when something arrives. */
export interface ScreenProps {
  readonly state: AppState;
  /** Grows when letters (and so invitations and answers) arrive. */
  readonly letterVersion: number;
  /** Grows when the connection's status changes. */
  readonly statusVersion: number;
  /** World posts that arrived while the app was open. */
  readonly fresh: Post[];
}

/** One tab: its label (also its id) and what it shows (an element, so each screen keeps its own hooks). */
export interface Screen {
  readonly tab: string;
  readonly view: (props: ScreenProps) => El;
}

/** The tabs, in order. */
export const SCREENS: readonly Screen[] = [
  { tab: 'Letters', view: (p) => e(Letters, { me: p.state.me?.name ?? '', version: p.letterVersion }) },
  { tab: 'World', view: (p) => e(World, { fresh: p.fresh }) },
  { tab: 'Trusted', view: (p) => e(Trusted, { me: p.state.me?.name ?? '', version: p.letterVersion }) },
  { tab: 'Events', view: (p) => e(Events, { version: p.letterVersion }) },
  { tab: 'Collectives', view: (p) => e(Collectives, { me: p.state.me?.name ?? '', version: p.letterVersion }) },
  { tab: 'Contacts', view: (p) => e(Contacts, { me: p.state.me }) },
  { tab: 'Profile', view: (p) => e(Profiles, { me: p.state.me?.name ?? '' }) },
  { tab: 'Map', view: () => e(DangerMap, null) },
  { tab: 'Status', view: (p) => e(Status, { state: p.state, version: p.statusVersion }) },
];
