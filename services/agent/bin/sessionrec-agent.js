#!/usr/bin/env node
// Committed shim so npm can link `sessionrec-agent` before and after a build; the CLI is in dist/.
require('../dist/main.js');
