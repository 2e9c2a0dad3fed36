const PREFIX = "agent: ";
exports.label = function (text) { return PREFIX + text; };
