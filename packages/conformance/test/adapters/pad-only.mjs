#!/usr/bin/env node
// An adapter that offers one op (padding.pad) and answers UNSUPPORTED_OP to every other: a library that
// implements only part of the spec.
import { OPS, serve } from '../../adapters/reference.mjs';

await serve({ hello: OPS.hello, 'padding.pad': OPS['padding.pad'] });
