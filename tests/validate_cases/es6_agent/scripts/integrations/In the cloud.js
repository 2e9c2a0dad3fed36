var util = require('cloud-util');
var payload = JSON.parse(request.body);
let count = payload.items.length;
console.log(util.label(`${count} items`));
