var util = require('agent-util');
var payload = JSON.parse(request.body);
var names = payload.items.map(item => util.label(item.name));
console.log(names.join(", "));
