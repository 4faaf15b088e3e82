// Root hooks shared by the whole suite.
process.env.LOG_LEVEL ??= "silent";
process.env.TZ ??= "UTC";
