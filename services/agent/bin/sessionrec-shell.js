#!/usr/bin/env node
// The session wrapper as sshd and login(1) run it (login shell or ForceCommand); the code is in dist/.
require('../dist/shell/main.js').main();
