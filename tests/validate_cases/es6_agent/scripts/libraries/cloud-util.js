exports.label = (text) => "cloud: " + text;
