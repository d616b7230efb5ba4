// Loaded before every test file (bunfig.toml). Keeps test logs quiet unless asked.
process.env.LOG_LEVEL ??= 'warn'
