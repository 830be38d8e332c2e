#!/usr/bin/env node
// A committed launcher, so `npm ci` can link the bin before the package is built (`npm run build`).
import "../dist/cli.js";
